/* Passphrases: from a descriptor (--passphrase-fd) or the terminal, never from argv or the
 * environment; held in a libro_buf, which wipes itself when freed. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cmd.h"
#include "libro/file.h"
#include "libro/limits.h"
#include "libro/util.h"

/* Read one line (without its newline) from `fd`, byte by byte so nothing past the newline is
 * consumed: the descriptor may carry more data for someone else. */
static libro_code
read_line(libro_buf *out, int fd, libro_error *err)
{
    for (;;) {
        unsigned char c;
        ssize_t n = read(fd, &c, 1);
        libro_code rc;

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return libro_error_set(err, LIBRO_ERR_IO, "passphrase: read: %s", strerror(errno));
        }
        if (n == 0 || c == '\n') {
            break;
        }
        if (out->len >= LIBRO_MAX_PASSPHRASE_BYTES) {
            return libro_error_set(err, LIBRO_ERR_LIMIT, "passphrase longer than %u bytes",
                                   LIBRO_MAX_PASSPHRASE_BYTES);
        }
        rc = libro_buf_append(out, &c, 1, err);
        c = 0;
        if (rc != LIBRO_OK) {
            return rc;
        }
    }
    if (out->len > 0 && out->data[out->len - 1] == '\r') {
        out->data[--out->len] = '\0';
    }
    if (out->len == 0) {
        return libro_error_set(err, LIBRO_ERR_PASSPHRASE, "passphrase is empty");
    }
    return LIBRO_OK;
}

libro_code
cli_read_passphrase_fd(libro_buf *out, const char *fd_text, libro_error *err)
{
    uint64_t fd = 0;
    libro_code rc = libro_parse_u64(&fd, fd_text, strlen(fd_text), 1024, err);

    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "--passphrase-fd");
        return rc;
    }
    if (fcntl((int) fd, F_GETFD) < 0) {
        return libro_error_set(err, LIBRO_ERR_IO, "--passphrase-fd %d is not open", (int) fd);
    }
    return read_line(out, (int) fd, err);
}

static libro_code
prompt_once(libro_buf *out, int tty, const char *prompt, libro_error *err)
{
    struct termios saved;
    struct termios quiet;
    libro_code rc;

    if (tcgetattr(tty, &saved) != 0) {
        return libro_error_set(err, LIBRO_ERR_IO, "terminal: %s", strerror(errno));
    }
    quiet = saved;
    quiet.c_lflag &= ~(tcflag_t) (ECHO | ECHONL);
    quiet.c_lflag |= ICANON;
    if (write(tty, prompt, strlen(prompt)) < 0 || tcsetattr(tty, TCSAFLUSH, &quiet) != 0) {
        return libro_error_set(err, LIBRO_ERR_IO, "terminal: %s", strerror(errno));
    }
    rc = read_line(out, tty, err);
    (void) tcsetattr(tty, TCSAFLUSH, &saved);
    if (write(tty, "\n", 1) < 0) {
        /* the newline is cosmetic */
    }
    return rc;
}

libro_code
cli_prompt_passphrase(libro_buf *out, const char *prompt, bool confirm, libro_error *err)
{
    libro_buf again = LIBRO_BUF_INIT;
    int tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    libro_code rc;

    if (tty < 0) {
        return libro_error_set(err, LIBRO_ERR_PASSPHRASE,
                               "passphrase needed but there is no terminal (use --passphrase-fd)");
    }
    rc = prompt_once(out, tty, prompt, err);
    if (rc == LIBRO_OK && confirm) {
        rc = prompt_once(&again, tty, "Repeat passphrase: ", err);
        if (rc == LIBRO_OK &&
            (again.len != out->len || !libro_ct_equal(again.data, out->data, out->len))) {
            rc = libro_error_set(err, LIBRO_ERR_PASSPHRASE, "passphrases do not match");
        }
    }
    libro_buf_free(&again);
    close(tty);
    return rc;
}

libro_code
cli_load_key(libro_key **out, const char *path, const char *passphrase_fd, libro_error *err)
{
    libro_buf pass = LIBRO_BUF_INIT;
    libro_code rc;

    if (passphrase_fd != NULL) {
        rc = cli_read_passphrase_fd(&pass, passphrase_fd, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
        rc = libro_key_load_file(out, path, (const char *) pass.data, pass.len, err);
        goto out;
    }
    rc = libro_key_load_file(out, path, NULL, 0, err);
    if (rc == LIBRO_ERR_PASSPHRASE && isatty(STDIN_FILENO)) {
        rc = cli_prompt_passphrase(&pass, "Passphrase for the key file: ", false, err);
        if (rc == LIBRO_OK) {
            rc = libro_key_load_file(out, path, (const char *) pass.data, pass.len, err);
        }
    }
out:
    libro_buf_free(&pass);
    return rc;
}
