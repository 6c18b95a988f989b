/* SPDX-License-Identifier: MIT
 * Tests for proto/smime: RFC 8551 clear-signed, opaque-signed, enveloped
 * (AES-GCM AuthEnvelopedData and AES-CBC EnvelopedData) and
 * signed-then-encrypted round trips with certificates from proto/tls_ca
 * (RSA-2048 users, one P-256 user); tampering, unknown signer, expiry,
 * From/rfc822Name mismatch, non-recipient; the steps lists and sizes.
 */
#include <string.h>

#include <glib.h>

#include <openssl/cms.h>

#include "proto/smime-private.h"
#include "proto/smime.h"
#include "proto/tls_autocleanups.h"
#include "proto/tls_ca.h"

#define NOT_BEFORE 1700000000 /* 2023-11-14T22:13:20Z */
#define SIGN_TIME (NOT_BEFORE + 86400)

static const char test_msg[] = "From: Alice <alice@polito.it>\r\n"
                               "To: Bob <bob@example.com>\r\n"
                               "Subject: Lab results\r\n"
                               "Date: Wed, 15 Nov 2023 10:00:00 +0000\r\n"
                               "Message-ID: <m1@polito.it>\r\n"
                               "MIME-Version: 1.0\r\n"
                               "Content-Type: text/plain; charset=us-ascii\r\n"
                               "\r\n"
                               "The grades are attached.\r\n"
                               "Nobody else should read this.\r\n";

/* One world of certificates for the whole run. */
static struct {
    TlsIdentity *ca, *other_ca;
    TlsIdentity *alice, *bob, *carol, *mallory, *eve, *dave_ed;
} w;

static TlsIdentity *
test_issue(TlsIdentity *ca, const char *cn, const char *email, TlsKeyType type)
{
    GError *error = NULL;
    const char *emails[] = {email, NULL};
    TlsCertRequest req = {
        .common_name = cn, .emails = emails, .key_type = type, .not_before = NOT_BEFORE};
    TlsIdentity *id = tls_ca_issue(ca, &req, &error);
    g_assert_no_error(error);
    return id;
}

static void
test_world_init(void)
{
    GError *error = NULL;
    TlsCertRequest careq = {.common_name = "Mail CA",
                            .organization = "mhs",
                            .key_type = TLS_KEY_P256,
                            .not_before = NOT_BEFORE,
                            .days = 3650};
    w.ca = tls_ca_new(&careq, &error);
    g_assert_no_error(error);
    TlsCertRequest oreq = {.common_name = "Other CA", .not_before = NOT_BEFORE, .days = 3650};
    w.other_ca = tls_ca_new(&oreq, &error);
    g_assert_no_error(error);
    w.alice = test_issue(w.ca, "Alice", "alice@polito.it", TLS_KEY_RSA2048);
    w.bob = test_issue(w.ca, "Bob", "bob@example.com", TLS_KEY_RSA2048);
    w.carol = test_issue(w.ca, "Carol", "carol@example.com", TLS_KEY_P256);
    w.mallory = test_issue(w.ca, "Mallory", "mallory@evil.example", TLS_KEY_RSA2048);
    /* Same address as Alice, but issued by a CA nobody trusts. */
    w.eve = test_issue(w.other_ca, "Alice", "alice@polito.it", TLS_KEY_RSA2048);
    w.dave_ed = test_issue(w.ca, "Dave", "dave@example.com", TLS_KEY_ED25519);
}

static void
test_world_clear(void)
{
    TlsIdentity **all[] = {&w.ca,    &w.other_ca, &w.alice, &w.bob,
                           &w.carol, &w.mallory,  &w.eve,   &w.dave_ed};
    for (gsize i = 0; i < G_N_ELEMENTS(all); i++)
        g_clear_pointer(all[i], tls_identity_unref);
}

static GBytes *
test_sign(TlsIdentity *signer, SmimeSignForm form, const char *msg, GArray *steps)
{
    GError *error = NULL;
    SmimeSignConfig cfg = {.signer = signer, .form = form, .signing_time = SIGN_TIME};
    GBytes *out = smime_sign((const guint8 *)msg, strlen(msg), &cfg, steps, &error);
    g_assert_no_error(error);
    g_assert_nonnull(out);
    return out;
}

static SmimeVerifyStatus
test_verify(GBytes *msg, gint64 now, SmimeVerifyResult *r)
{
    TlsIdentity *anchors[] = {w.ca, NULL};
    SmimeVerifyConfig cfg = {.anchors = anchors, .now_unix = now};
    smime_verify(g_bytes_get_data(msg, NULL), g_bytes_get_size(msg), &cfg, NULL, r);
    return r->status;
}

static gboolean
test_contains(GBytes *b, const char *needle)
{
    g_autofree char *s = g_strndup(g_bytes_get_data(b, NULL), g_bytes_get_size(b));
    return strstr(s, needle) != NULL;
}

static const SmimeStep *
test_step(GArray *steps, const char *name, guint nth)
{
    for (guint i = 0; i < steps->len; i++) {
        const SmimeStep *s = &g_array_index(steps, SmimeStep, i);
        if (strcmp(s->name, name) == 0 && nth-- == 0)
            return s;
    }
    return NULL;
}

static void
test_clear_signed_round_trip(void)
{
    g_autoptr(GArray) steps = smime_steps_new();
    g_autoptr(GBytes) s = test_sign(w.alice, SMIME_SIGN_CLEAR, test_msg, steps);
    g_assert_cmpint(smime_message_kind(g_bytes_get_data(s, NULL), g_bytes_get_size(s)), ==,
                    SMIME_KIND_CLEAR_SIGNED);
    /* The outer fields stay outside and readable; the body stays readable. */
    g_assert_true(test_contains(s, "\r\nSubject: Lab results\r\n"));
    g_assert_true(test_contains(s, "From: Alice <alice@polito.it>\r\n"));
    g_assert_true(test_contains(s, "Date: Wed, 15 Nov 2023 10:00:00 +0000\r\n"));
    g_assert_true(test_contains(s, "multipart/signed; protocol=\"application/pkcs7-signature\""));
    g_assert_true(test_contains(s, "micalg=sha-256"));
    g_assert_true(test_contains(s, "\r\nThe grades are attached.\r\n"));
    g_assert_cmpuint(g_bytes_get_size(s), <, 8000);

    SmimeVerifyResult r = {0};
    g_assert_cmpint(test_verify(s, SIGN_TIME, &r), ==, SMIME_VERIFY_VALID);
    g_assert_cmpstr(r.from_address, ==, "alice@polito.it");
    g_assert_cmpstr(r.signer_subject, ==, "CN=Alice");
    g_assert_cmpuint(r.signer_emails->len, ==, 1);
    g_assert_cmpstr(r.signer_emails->pdata[0], ==, "alice@polito.it");
    g_assert_cmpint(r.signing_time, ==, SIGN_TIME);
    g_assert_nonnull(r.message);
    g_assert_true(test_contains(r.message, "Subject: Lab results\r\n"));
    g_assert_true(test_contains(r.message, "Nobody else should read this.\r\n"));
    g_assert_cmpint(
        smime_message_kind(g_bytes_get_data(r.message, NULL), g_bytes_get_size(r.message)), ==,
        SMIME_KIND_NONE);
    smime_verify_result_clear(&r);

    /* The course's list: canonical form, digest, signature, encoding. */
    const SmimeStep *canon = test_step(steps, "canonicalize", 0);
    g_assert_nonnull(canon);
    /* Content-Type field (44) + CRLF + the 57-octet body. */
    g_assert_cmpuint(canon->size, ==, 44 + 2 + 57);
    g_assert_cmpuint(test_step(steps, "digest", 0)->size, ==, 32);
    g_assert_nonnull(test_step(steps, "signed-attributes", 0));
    g_assert_true(strstr(test_step(steps, "signed-attributes", 0)->detail, "signingTime") != NULL);
    g_assert_cmpuint(test_step(steps, "signature", 0)->size, ==, 256); /* RSA-2048 */
    const SmimeStep *cms = test_step(steps, "cms", 0);
    const SmimeStep *b64 = test_step(steps, "transfer-encoding", 0);
    g_assert_nonnull(cms);
    g_assert_nonnull(b64);
    /* 4 characters per 3 octets, CRLF every 76 characters. */
    gsize chars = (cms->size + 2) / 3 * 4;
    g_assert_cmpuint(b64->size, ==, chars + (chars + 75) / 76 * 2);
    g_assert_cmpuint(test_step(steps, "mime", 0)->size, >, b64->size);
    for (guint i = 0; i < steps->len; i++)
        g_test_message("%-18s %6" G_GSIZE_FORMAT "  %s", g_array_index(steps, SmimeStep, i).name,
                       g_array_index(steps, SmimeStep, i).size,
                       g_array_index(steps, SmimeStep, i).detail);
}

static void
test_opaque_signed_round_trip(void)
{
    g_autoptr(GArray) steps = smime_steps_new();
    g_autoptr(GBytes) s = test_sign(w.alice, SMIME_SIGN_OPAQUE, test_msg, steps);
    g_assert_cmpint(smime_message_kind(g_bytes_get_data(s, NULL), g_bytes_get_size(s)), ==,
                    SMIME_KIND_OPAQUE_SIGNED);
    g_assert_true(test_contains(s, "application/pkcs7-mime; smime-type=signed-data"));
    g_assert_false(test_contains(s, "The grades are attached."));
    g_assert_true(test_contains(s, "Subject: Lab results\r\n"));
    SmimeVerifyResult r = {0};
    g_assert_cmpint(test_verify(s, SIGN_TIME, &r), ==, SMIME_VERIFY_VALID);
    g_assert_true(test_contains(r.message, "\r\n\r\nThe grades are attached.\r\n"));
    smime_verify_result_clear(&r);
    g_assert_true(strstr(test_step(steps, "cms", 0)->detail, "encapsulated") != NULL);
}

static void
test_p256_signer(void)
{
    const char *msg = "From: carol@example.com\r\nTo: bob@example.com\r\nSubject: EC\r\n\r\nhi\r\n";
    g_autoptr(GArray) steps = smime_steps_new();
    g_autoptr(GBytes) s = test_sign(w.carol, SMIME_SIGN_CLEAR, msg, steps);
    SmimeVerifyResult r = {0};
    g_assert_cmpint(test_verify(s, SIGN_TIME, &r), ==, SMIME_VERIFY_VALID);
    smime_verify_result_clear(&r);
    /* DER ECDSA-Sig-Value over P-256: 70 to 72 octets (rarely fewer). */
    gsize n = test_step(steps, "signature", 0)->size;
    g_assert_cmpuint(n, >=, 64);
    g_assert_cmpuint(n, <=, 72);
    /* No Content-Type in the input: text/plain (RFC 2045 5.2) is added. */
    g_assert_true(test_contains(s, "Content-Type: text/plain; charset=us-ascii\r\n"));
}

/* Alter each octet of the signed body in turn: every change is caught. */
static void
test_clear_signed_tampering(void)
{
    g_autoptr(GBytes) s = test_sign(w.alice, SMIME_SIGN_CLEAR, test_msg, NULL);
    gsize len;
    const char *data = g_bytes_get_data(s, &len);
    const char *body = strstr(data, "The grades");
    g_assert_nonnull(body);
    gsize start = (gsize)(body - data), end = start + strlen("The grades are attached.");
    for (gsize i = start; i < end; i++) {
        g_autofree char *copy = g_memdup2(data, len);
        copy[i] = copy[i] == 'x' ? 'y' : 'x';
        g_autoptr(GBytes) t = g_bytes_new(copy, len);
        SmimeVerifyResult r = {0};
        g_assert_cmpint(test_verify(t, SIGN_TIME, &r), ==, SMIME_VERIFY_CONTENT_ALTERED);
        g_assert_cmpstr(smime_verify_status_name(r.status), ==, "content altered");
        g_assert_nonnull(r.detail);
        smime_verify_result_clear(&r);
    }
    /* The outer Subject is not signed (RFC 8551 3.1): changing it is not caught. */
    g_autoptr(GString) subj = g_string_new_len(data, (gssize)len);
    g_string_replace(subj, "Lab results", "Lab resultz", 1);
    g_autoptr(GBytes) t = g_bytes_new(subj->str, subj->len);
    SmimeVerifyResult r = {0};
    g_assert_cmpint(test_verify(t, SIGN_TIME, &r), ==, SMIME_VERIFY_VALID);
    smime_verify_result_clear(&r);
}

static void
test_signer_address_mismatch(void)
{
    /* Mallory's certificate is genuine, but for another address. */
    g_autoptr(GBytes) s = test_sign(w.mallory, SMIME_SIGN_CLEAR, test_msg, NULL);
    SmimeVerifyResult r = {0};
    g_assert_cmpint(test_verify(s, SIGN_TIME, &r), ==, SMIME_VERIFY_ADDRESS_MISMATCH);
    g_assert_cmpstr(r.from_address, ==, "alice@polito.it");
    g_assert_nonnull(strstr(r.detail, "mallory@evil.example"));
    smime_verify_result_clear(&r);
}

/* The outer From is not signed, but it is checked against the signer:
 * rewriting it to another person's address is caught. */
static void
test_forged_outer_from(void)
{
    g_autoptr(GBytes) s = test_sign(w.alice, SMIME_SIGN_OPAQUE, test_msg, NULL);
    g_autoptr(GString) f = g_string_new_len(g_bytes_get_data(s, NULL), (gssize)g_bytes_get_size(s));
    g_assert_cmpuint(g_string_replace(f, "alice@polito.it>", "bob@example.com>", 1), ==, 1);
    g_autoptr(GBytes) t = g_bytes_new(f->str, f->len);
    SmimeVerifyResult r = {0};
    g_assert_cmpint(test_verify(t, SIGN_TIME, &r), ==, SMIME_VERIFY_ADDRESS_MISMATCH);
    g_assert_cmpstr(r.from_address, ==, "bob@example.com");
    smime_verify_result_clear(&r);
    /* RFC 8550 3: the Sender may be the signer (a secretary sends for Bob). */
    g_string_prepend(f, "Sender: Alice <alice@polito.it>\r\n");
    g_autoptr(GBytes) t2 = g_bytes_new(f->str, f->len);
    g_assert_cmpint(test_verify(t2, SIGN_TIME, &r), ==, SMIME_VERIFY_VALID);
    g_assert_cmpstr(r.from_address, ==, "alice@polito.it");
    smime_verify_result_clear(&r);
    /* No From at all. */
    const char *nofrom = "Subject: x\r\n\r\nbody\r\n";
    g_autoptr(GBytes) t3 = test_sign(w.alice, SMIME_SIGN_CLEAR, nofrom, NULL);
    g_assert_cmpint(test_verify(t3, SIGN_TIME, &r), ==, SMIME_VERIFY_ADDRESS_MISMATCH);
    g_assert_null(r.from_address);
    g_assert_nonnull(strstr(r.detail, "no usable From"));
    smime_verify_result_clear(&r);
}

/* A clear-signed message cut at every point never verifies until the
 * last base64 character of the signature is there (only line ends and the
 * close delimiter may be lost); nothing crashes on the way. */
static void
test_truncation_every_point(void)
{
    g_autoptr(GBytes) s = test_sign(w.alice, SMIME_SIGN_CLEAR, test_msg, NULL);
    gsize len;
    const char *data = g_bytes_get_data(s, &len);
    /* The signature's base64 ends before "\r\n--BOUNDARY--\r\n". */
    g_autofree char *text = g_strndup(data, len);
    const char *close = g_strrstr(text, "\r\n--smime-");
    g_assert_nonnull(close);
    g_assert_true(g_str_has_suffix(close, "--\r\n"));
    gsize sig_end = (gsize)(close - text);
    while (sig_end > 0 && (text[sig_end - 1] == '\r' || text[sig_end - 1] == '\n'))
        sig_end--;
    /* Any base64 character: the keys, hence the signature, are new each
     * run, so the last one is sometimes '+' or '/'. */
    char last = text[sig_end - 1];
    g_assert_true(last == '=' || last == '+' || last == '/' || g_ascii_isalnum(last));
    for (gsize cut = 0; cut <= len; cut++) {
        g_autoptr(GBytes) t = g_bytes_new(data, cut);
        SmimeVerifyResult r = {0};
        test_verify(t, SIGN_TIME, &r);
        if (cut < sig_end)
            g_assert_cmpint(r.status, !=, SMIME_VERIFY_VALID);
        smime_verify_result_clear(&r);
    }
    SmimeVerifyResult r = {0};
    g_assert_cmpint(test_verify(s, SIGN_TIME, &r), ==, SMIME_VERIFY_VALID);
    smime_verify_result_clear(&r);
}

static void
test_unknown_signer(void)
{
    g_autoptr(GBytes) s = test_sign(w.eve, SMIME_SIGN_CLEAR, test_msg, NULL);
    SmimeVerifyResult r = {0};
    g_assert_cmpint(test_verify(s, SIGN_TIME, &r), ==, SMIME_VERIFY_UNKNOWN_SIGNER);
    g_assert_cmpstr(r.signer_subject, ==, "CN=Alice");
    smime_verify_result_clear(&r);
    /* No trust anchors at all: nobody is known. */
    g_autoptr(GBytes) a = test_sign(w.alice, SMIME_SIGN_OPAQUE, test_msg, NULL);
    SmimeVerifyConfig cfg = {.now_unix = SIGN_TIME};
    smime_verify(g_bytes_get_data(a, NULL), g_bytes_get_size(a), &cfg, NULL, &r);
    g_assert_cmpint(r.status, ==, SMIME_VERIFY_UNKNOWN_SIGNER);
    smime_verify_result_clear(&r);
}

static void
test_expired_signer(void)
{
    g_autoptr(GBytes) s = test_sign(w.alice, SMIME_SIGN_CLEAR, test_msg, NULL);
    SmimeVerifyResult r = {0};
    /* Leaves last 365 days (tls_ca default). */
    g_assert_cmpint(test_verify(s, NOT_BEFORE + 366 * 86400, &r), ==, SMIME_VERIFY_EXPIRED);
    smime_verify_result_clear(&r);
    g_assert_cmpint(test_verify(s, NOT_BEFORE - 86400, &r), ==, SMIME_VERIFY_EXPIRED);
    smime_verify_result_clear(&r);
    /* now 0: judged at the signingTime, when the certificate was valid. */
    g_assert_cmpint(test_verify(s, 0, &r), ==, SMIME_VERIFY_VALID);
    smime_verify_result_clear(&r);
}

static void
test_no_signing_time(void)
{
    GError *error = NULL;
    g_autoptr(GArray) steps = smime_steps_new();
    SmimeSignConfig cfg = {.signer = w.alice};
    g_autoptr(GBytes) s =
        smime_sign((const guint8 *)test_msg, strlen(test_msg), &cfg, steps, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(test_step(steps, "signed-attributes", 0)->size, ==, 0);
    SmimeVerifyResult r = {0};
    g_assert_cmpint(test_verify(s, SIGN_TIME, &r), ==, SMIME_VERIFY_VALID);
    g_assert_cmpint(r.signing_time, ==, 0);
    smime_verify_result_clear(&r);
    /* Same key, same content, no attributes: RSA PKCS #1 v1.5 is
     * deterministic, so the message is reproducible byte for byte. */
    g_autoptr(GBytes) again =
        smime_sign((const guint8 *)test_msg, strlen(test_msg), &cfg, NULL, &error);
    g_assert_no_error(error);
    g_assert_true(g_bytes_equal(s, again));
}

static GBytes *
test_encrypt(const char *msg, TlsIdentity **rcpts, SmimeCipher cipher, SmimeRsaPadding pad,
             GArray *steps)
{
    GError *error = NULL;
    SmimeEncryptConfig cfg = {.recipients = rcpts, .cipher = cipher, .rsa_padding = pad};
    GBytes *out = smime_encrypt((const guint8 *)msg, strlen(msg), &cfg, steps, &error);
    g_assert_no_error(error);
    return out;
}

static void
test_decrypt_ok(GBytes *e, TlsIdentity *who, const char *expect)
{
    SmimeDecryptResult d = {0};
    g_autoptr(GArray) steps = smime_steps_new();
    smime_decrypt(g_bytes_get_data(e, NULL), g_bytes_get_size(e), who, steps, &d);
    g_assert_cmpint(d.status, ==, SMIME_DECRYPT_OK);
    g_assert_true(test_contains(d.message, expect));
    g_assert_true(test_contains(d.message, "Subject: Lab results\r\n"));
    g_assert_nonnull(test_step(steps, "decrypt", 0));
    smime_decrypt_result_clear(&d);
}

static void
test_enveloped_each_cipher(void)
{
    static const struct {
        SmimeCipher c;
        const char *smime_type;
        gsize key_len;
    } cases[] = {
        {SMIME_CIPHER_AES256_GCM, "authEnveloped-data", 32},
        {SMIME_CIPHER_AES128_GCM, "authEnveloped-data", 16},
        {SMIME_CIPHER_AES256_CBC, "enveloped-data", 32},
        {SMIME_CIPHER_AES128_CBC, "enveloped-data", 16},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        for (SmimeRsaPadding pad = SMIME_RSA_OAEP; pad <= SMIME_RSA_PKCS1; pad++) {
            TlsIdentity *rcpts[] = {w.bob, NULL};
            g_autoptr(GArray) steps = smime_steps_new();
            g_autoptr(GBytes) e = test_encrypt(test_msg, rcpts, cases[i].c, pad, steps);
            g_autofree char *ct = g_strdup_printf("smime-type=%s", cases[i].smime_type);
            g_assert_true(test_contains(e, ct));
            g_assert_false(test_contains(e, "grades"));
            g_assert_true(test_contains(e, "To: Bob <bob@example.com>\r\n"));
            g_assert_cmpuint(test_step(steps, "content-key", 0)->size, ==, cases[i].key_len);
            const SmimeStep *kw = test_step(steps, "key-wrap", 0);
            g_assert_cmpuint(kw->size, ==, 256); /* RSA-2048 modulus */
            g_assert_nonnull(
                strstr(kw->detail, pad == SMIME_RSA_OAEP ? "rsaesOaep" : "rsaEncryption"));
            gsize plain = test_step(steps, "canonicalize", 0)->size;
            gsize enc = test_step(steps, "encrypt", 0)->size;
            if (cases[i].c == SMIME_CIPHER_AES256_GCM || cases[i].c == SMIME_CIPHER_AES128_GCM)
                g_assert_cmpuint(enc, ==, plain);
            else
                g_assert_cmpuint(enc, ==, (plain / 16 + 1) * 16);
            test_decrypt_ok(e, w.bob, "\r\n\r\nThe grades are attached.\r\n");
        }
    }
}

static void
test_enveloped_two_recipients_and_outsider(void)
{
    TlsIdentity *rcpts[] = {w.bob, w.carol, NULL};
    g_autoptr(GArray) steps = smime_steps_new();
    g_autoptr(GBytes) e =
        test_encrypt(test_msg, rcpts, SMIME_CIPHER_AES256_GCM, SMIME_RSA_OAEP, steps);
    /* One key-wrap per recipient: RSA key transport, then ECDH + AES key wrap. */
    g_assert_cmpuint(test_step(steps, "key-wrap", 0)->size, ==, 256);
    g_assert_cmpuint(test_step(steps, "key-wrap", 1)->size, ==, 32 + 8);
    g_assert_nonnull(strstr(test_step(steps, "key-wrap", 1)->detail, "ECDH"));
    g_assert_null(test_step(steps, "key-wrap", 2));
    test_decrypt_ok(e, w.bob, "Nobody else should read this.");
    test_decrypt_ok(e, w.carol, "Nobody else should read this.");
    /* Alice was not a recipient. */
    SmimeDecryptResult d = {0};
    smime_decrypt(g_bytes_get_data(e, NULL), g_bytes_get_size(e), w.alice, NULL, &d);
    g_assert_cmpint(d.status, ==, SMIME_DECRYPT_NOT_RECIPIENT);
    g_assert_null(d.message);
    g_assert_cmpstr(smime_decrypt_status_name(d.status), ==, "not a recipient");
    smime_decrypt_result_clear(&d);
    /* A certificate without its key cannot open anything. */
    g_autofree char *pem = tls_identity_cert_pem(w.bob);
    GError *error = NULL;
    g_autoptr(TlsIdentity) bob_pub = tls_identity_new_from_pem(pem, strlen(pem), NULL, 0, &error);
    g_assert_no_error(error);
    smime_decrypt(g_bytes_get_data(e, NULL), g_bytes_get_size(e), bob_pub, NULL, &d);
    g_assert_cmpint(d.status, ==, SMIME_DECRYPT_NOT_RECIPIENT);
    smime_decrypt_result_clear(&d);
}

/* Flip one ciphertext octet inside the CMS: GCM's tag catches it. */
static void
test_auth_enveloped_tampering(void)
{
    TlsIdentity *rcpts[] = {w.bob, NULL};
    g_autoptr(GBytes) e =
        test_encrypt(test_msg, rcpts, SMIME_CIPHER_AES256_GCM, SMIME_RSA_OAEP, NULL);
    g_autoptr(MailMessage) m = mail_message_parse_bytes(e, NULL);
    g_autoptr(CMS_ContentInfo) cms = smime_cms_from_body(m, NULL);
    g_assert_nonnull(cms);
    ASN1_OCTET_STRING **ct = CMS_get0_content(cms);
    g_assert_nonnull(ct);
    g_assert_nonnull(*ct);
    unsigned char *bytes = (unsigned char *)ASN1_STRING_get0_data(*ct);
    bytes[10] ^= 0x01;
    g_autoptr(GBytes) der = smime_cms_to_der(cms);
    g_autoptr(GBytes) entity = smime_pkcs7_mime_entity("authEnveloped-data", der, NULL);
    g_autoptr(GBytes) outer = g_bytes_new_static("From: a@b.c\r\n", 13);
    g_autoptr(GBytes) t =
        smime_build_message(outer, g_bytes_get_data(entity, NULL), g_bytes_get_size(entity));
    SmimeDecryptResult d = {0};
    smime_decrypt(g_bytes_get_data(t, NULL), g_bytes_get_size(t), w.bob, NULL, &d);
    g_assert_cmpint(d.status, ==, SMIME_DECRYPT_FAILED);
    g_assert_null(d.message);
    smime_decrypt_result_clear(&d);
}

static void
test_sign_then_encrypt(void)
{
    for (SmimeSignForm form = SMIME_SIGN_CLEAR; form <= SMIME_SIGN_OPAQUE; form++) {
        GError *error = NULL;
        TlsIdentity *rcpts[] = {w.bob, NULL};
        SmimeSignConfig sc = {.signer = w.alice, .form = form, .signing_time = SIGN_TIME};
        SmimeEncryptConfig ec = {.recipients = rcpts};
        g_autoptr(GArray) steps = smime_steps_new();
        g_autoptr(GBytes) e =
            smime_sign_encrypt((const guint8 *)test_msg, strlen(test_msg), &sc, &ec, steps, &error);
        g_assert_no_error(error);
        g_assert_cmpint(smime_message_kind(g_bytes_get_data(e, NULL), g_bytes_get_size(e)), ==,
                        SMIME_KIND_AUTH_ENVELOPED);
        /* Both lists, in order: signing first, then encryption of the
         * signed entity (its size is the signing's "mime" step). */
        g_assert_nonnull(test_step(steps, "signature", 0));
        const SmimeStep *signed_mime = test_step(steps, "mime", 0);
        g_assert_cmpuint(test_step(steps, "canonicalize", 1)->size, ==, signed_mime->size);
        g_assert_nonnull(test_step(steps, "key-wrap", 0));

        SmimeDecryptResult d = {0};
        smime_decrypt(g_bytes_get_data(e, NULL), g_bytes_get_size(e), w.bob, NULL, &d);
        g_assert_cmpint(d.status, ==, SMIME_DECRYPT_OK);
        g_assert_cmpint(
            smime_message_kind(g_bytes_get_data(d.message, NULL), g_bytes_get_size(d.message)), ==,
            form == SMIME_SIGN_CLEAR ? SMIME_KIND_CLEAR_SIGNED : SMIME_KIND_OPAQUE_SIGNED);
        SmimeVerifyResult r = {0};
        g_assert_cmpint(test_verify(d.message, SIGN_TIME, &r), ==, SMIME_VERIFY_VALID);
        g_assert_true(test_contains(r.message, "The grades are attached."));
        smime_verify_result_clear(&r);
        smime_decrypt_result_clear(&d);
        /* The envelope itself is not a signature. */
        g_assert_cmpint(test_verify(e, SIGN_TIME, &r), ==, SMIME_VERIFY_NOT_SIGNED);
        smime_verify_result_clear(&r);
    }
}

static void
test_lf_only_and_8bit(void)
{
    /* A file from disk (LF) signs like its CRLF form. */
    g_autoptr(GString) lf = g_string_new(test_msg);
    g_string_replace(lf, "\r\n", "\n", 0);
    g_autoptr(GBytes) a = test_sign(w.alice, SMIME_SIGN_CLEAR, lf->str, NULL);
    g_autoptr(GBytes) b = test_sign(w.alice, SMIME_SIGN_CLEAR, test_msg, NULL);
    g_assert_false(test_contains(a, "e\nN")); /* no bare LF left */
    SmimeVerifyResult r = {0};
    g_assert_cmpint(test_verify(a, SIGN_TIME, &r), ==, SMIME_VERIFY_VALID);
    smime_verify_result_clear(&r);
    g_assert_cmpuint(g_bytes_get_size(a), ==, g_bytes_get_size(b));

    /* RFC 8551 3.1.2: 8-bit text is given a 7-bit transfer encoding. */
    const char *msg8 = "From: alice@polito.it\r\nSubject: accents\r\n\r\nperch\xc3\xa9 no\r\n";
    g_autoptr(GBytes) s = test_sign(w.alice, SMIME_SIGN_CLEAR, msg8, NULL);
    g_assert_true(test_contains(s, "Content-Transfer-Encoding: base64\r\n"));
    g_assert_true(test_contains(s, "charset=utf-8"));
    g_assert_false(test_contains(s, "\xc3"));
    g_assert_cmpint(test_verify(s, SIGN_TIME, &r), ==, SMIME_VERIFY_VALID);
    smime_verify_result_clear(&r);
}

static void
test_bad_inputs(void)
{
    GError *error = NULL;
    /* OpenSSL 3.0 CMS cannot encrypt to Ed25519 (no key transport or agreement). */
    TlsIdentity *rcpts[] = {w.dave_ed, NULL};
    SmimeEncryptConfig ec = {.recipients = rcpts};
    g_assert_null(smime_encrypt((const guint8 *)test_msg, strlen(test_msg), &ec, NULL, &error));
    g_assert_error(error, SMIME_ERROR, SMIME_ERROR_KEY);
    g_clear_error(&error);
    TlsIdentity *none[] = {NULL};
    SmimeEncryptConfig ec0 = {.recipients = none};
    g_assert_null(smime_encrypt((const guint8 *)test_msg, strlen(test_msg), &ec0, NULL, &error));
    g_assert_error(error, SMIME_ERROR, SMIME_ERROR_INPUT);
    g_clear_error(&error);
    /* Ed25519 cannot sign S/MIME here (OpenSSL 3.0 CMS, RFC 8419). */
    SmimeSignConfig ed = {.signer = w.dave_ed, .signing_time = SIGN_TIME};
    g_assert_null(smime_sign((const guint8 *)test_msg, strlen(test_msg), &ed, NULL, &error));
    g_assert_error(error, SMIME_ERROR, SMIME_ERROR_KEY);
    g_assert_nonnull(strstr(error->message, "Ed25519"));
    g_clear_error(&error);
    /* A certificate without a key cannot sign. */
    g_autofree char *pem = tls_identity_cert_pem(w.alice);
    g_autoptr(TlsIdentity) pub = tls_identity_new_from_pem(pem, strlen(pem), NULL, 0, &error);
    g_assert_no_error(error);
    SmimeSignConfig sc = {.signer = pub};
    g_assert_null(smime_sign((const guint8 *)test_msg, strlen(test_msg), &sc, NULL, &error));
    g_assert_error(error, SMIME_ERROR, SMIME_ERROR_KEY);
    g_clear_error(&error);

    /* Plain mail is neither signed nor encrypted. */
    g_autoptr(GBytes) plain = g_bytes_new_static(test_msg, strlen(test_msg));
    SmimeVerifyResult r = {0};
    g_assert_cmpint(test_verify(plain, SIGN_TIME, &r), ==, SMIME_VERIFY_NOT_SIGNED);
    smime_verify_result_clear(&r);
    SmimeDecryptResult d = {0};
    smime_decrypt((const guint8 *)test_msg, strlen(test_msg), w.bob, NULL, &d);
    g_assert_cmpint(d.status, ==, SMIME_DECRYPT_NOT_ENCRYPTED);
    smime_decrypt_result_clear(&d);
    /* A pkcs7-mime body that is not base64 CMS. */
    const char *junk = "From: a@b.c\r\nContent-Type: application/pkcs7-mime; "
                       "smime-type=enveloped-data\r\n\r\nnot base64 !!\r\n";
    smime_decrypt((const guint8 *)junk, strlen(junk), w.bob, NULL, &d);
    g_assert_cmpint(d.status, ==, SMIME_DECRYPT_MALFORMED);
    smime_decrypt_result_clear(&d);
    const char *junk2 = "From: a@b.c\r\nContent-Type: application/pkcs7-mime; "
                        "smime-type=signed-data\r\n\r\nAAAA\r\n";
    g_autoptr(GBytes) j2 = g_bytes_new_static(junk2, strlen(junk2));
    g_assert_cmpint(test_verify(j2, SIGN_TIME, &r), ==, SMIME_VERIFY_MALFORMED);
    smime_verify_result_clear(&r);
}

static void
test_names(void)
{
    SmimeCipher c;
    g_assert_true(smime_cipher_from_name("AES-128-CBC", &c));
    g_assert_cmpint(c, ==, SMIME_CIPHER_AES128_CBC);
    g_assert_cmpstr(smime_cipher_name(SMIME_CIPHER_AES256_GCM), ==, "aes-256-gcm");
    g_assert_false(smime_cipher_from_name("des-ede3-cbc", &c));
    g_assert_cmpstr(smime_kind_name(SMIME_KIND_AUTH_ENVELOPED), ==, "auth-enveloped");
    g_assert_cmpstr(smime_verify_status_name(SMIME_VERIFY_ADDRESS_MISMATCH), ==,
                    "address mismatch");
    /* RFC 8551 3.2.2: smime-type values are matched without regard to case;
     * the x- types of older agents are accepted. */
    const char *m = "Content-Type: application/x-pkcs7-mime; smime-type=AuthEnveloped-Data\r\n\r\n";
    g_assert_cmpint(smime_message_kind((const guint8 *)m, strlen(m)), ==,
                    SMIME_KIND_AUTH_ENVELOPED);
    /* Without smime-type the CMS content type decides (RFC 8551 3.2.2). */
    g_autoptr(GBytes) o = test_sign(w.alice, SMIME_SIGN_OPAQUE, test_msg, NULL);
    g_autoptr(GString) bare =
        g_string_new_len(g_bytes_get_data(o, NULL), (gssize)g_bytes_get_size(o));
    g_assert_cmpuint(g_string_replace(bare, " smime-type=signed-data;", "", 1), ==, 1);
    g_assert_cmpint(smime_message_kind((const guint8 *)bare->str, bare->len), ==,
                    SMIME_KIND_OPAQUE_SIGNED);
    g_autoptr(GBytes) b = g_bytes_new(bare->str, bare->len);
    SmimeVerifyResult r = {0};
    g_assert_cmpint(test_verify(b, SIGN_TIME, &r), ==, SMIME_VERIFY_VALID);
    smime_verify_result_clear(&r);
    /* multipart/signed with another protocol (PGP/MIME) is not S/MIME. */
    const char *pgp = "Content-Type: multipart/signed; protocol=\"application/pgp-signature\"; "
                      "boundary=x\r\n\r\n--x\r\n\r\nhi\r\n--x--\r\n";
    g_assert_cmpint(smime_message_kind((const guint8 *)pgp, strlen(pgp)), ==, SMIME_KIND_NONE);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    test_world_init();
    g_test_add_func("/proto/smime/clear-signed/round-trip", test_clear_signed_round_trip);
    g_test_add_func("/proto/smime/clear-signed/tampering", test_clear_signed_tampering);
    g_test_add_func("/proto/smime/opaque-signed/round-trip", test_opaque_signed_round_trip);
    g_test_add_func("/proto/smime/sign/p256", test_p256_signer);
    g_test_add_func("/proto/smime/sign/no-signing-time", test_no_signing_time);
    g_test_add_func("/proto/smime/sign/lf-only-and-8bit", test_lf_only_and_8bit);
    g_test_add_func("/proto/smime/verify/address-mismatch", test_signer_address_mismatch);
    g_test_add_func("/proto/smime/verify/unknown-signer", test_unknown_signer);
    g_test_add_func("/proto/smime/verify/forged-outer-from", test_forged_outer_from);
    g_test_add_func("/proto/smime/verify/truncation", test_truncation_every_point);
    g_test_add_func("/proto/smime/verify/expired", test_expired_signer);
    g_test_add_func("/proto/smime/enveloped/each-cipher", test_enveloped_each_cipher);
    g_test_add_func("/proto/smime/enveloped/recipients",
                    test_enveloped_two_recipients_and_outsider);
    g_test_add_func("/proto/smime/enveloped/gcm-tampering", test_auth_enveloped_tampering);
    g_test_add_func("/proto/smime/sign-then-encrypt", test_sign_then_encrypt);
    g_test_add_func("/proto/smime/bad-inputs", test_bad_inputs);
    g_test_add_func("/proto/smime/names", test_names);
    int rc = g_test_run();
    test_world_clear();
    return rc;
}
