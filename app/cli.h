/* SPDX-License-Identifier: MIT
 * cli: the subcommands of the mhs command (DESIGN 7). Each returns the
 * process exit status: 0 success (every expectation held), 1 an
 * expectation or check failed, 2 bad input or usage.
 */
#ifndef APP_CLI_H
#define APP_CLI_H

#include <glib.h>

enum {
    MHS_EXIT_OK = 0,
    MHS_EXIT_FAIL = 1,
    MHS_EXIT_USAGE = 2,
};

int mhs_cmd_run(int argc, char **argv);
int mhs_cmd_check(int argc, char **argv);
int mhs_cmd_spf(int argc, char **argv);  /* app/cmd_spf.c */
int mhs_cmd_dkim(int argc, char **argv); /* app/cmd_dkim.c */
int mhs_cmd_sasl(int argc, char **argv); /* app/cmd_sasl.c */
int mhs_cmd_smime(int argc, char **argv); /* app/cmd_smime.c */
int mhs_cmd_viz(int argc, char **argv);
int mhs_cmd_serve(int argc, char **argv); /* app/cmd_serve.c */
int mhs_cmd_grade(int argc, char **argv); /* app/cmd_grade.c */
int mhs_cmd_labs(int argc, char **argv);  /* app/cmd_labs.c */
int mhs_cmd_msg(int argc, char **argv); /* app/cmd_msg.c */

/* Prints "mhs: MESSAGE" on stderr and returns MHS_EXIT_USAGE. */
int mhs_usage_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

#endif
