/* SPDX-License-Identifier: MIT
 * helper_fs: file-system chores shared by the app tests.
 */
#ifndef TESTS_APP_HELPER_FS_H
#define TESTS_APP_HELPER_FS_H

/* Removes path and, if it is a directory, everything below it. */
void test_rm_rf(const char *path);

#endif
