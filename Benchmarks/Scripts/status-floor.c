/* The floor for `evmcsctl status` as a whole process: connect to evmcsd's socket, send the
 * same daemon.status request line, read the answer line, print it, exit. Plain libc, no
 * parsing: what a process that asks evmcsd anything cannot do with less.
 *
 *   cc -O2 -o status-floor status-floor.c && ./status-floor /run/evmcsd/evmcsd.sock
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv) {
    static const char request[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"daemon.status\"}\n";
    static char answer[1 << 16];
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    if (argc != 2 || strlen(argv[1]) >= sizeof address.sun_path) {
        fprintf(stderr, "usage: status-floor SOCKET\n");
        return 2;
    }
    strcpy(address.sun_path, argv[1]);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&address, sizeof address) != 0) {
        perror("status-floor: connect");
        return 3;
    }
    if (write(fd, request, sizeof request - 1) != (ssize_t)(sizeof request - 1)) {
        perror("status-floor: write");
        return 3;
    }
    size_t length = 0;
    while (length < sizeof answer) {
        ssize_t count = read(fd, answer + length, sizeof answer - length);
        if (count <= 0) {
            fprintf(stderr, "status-floor: connection closed before the answer\n");
            return 3;
        }
        length += (size_t)count;
        if (memchr(answer + length - count, '\n', (size_t)count)) break;
    }
    close(fd);
    fwrite(answer, 1, length, stdout);
    return strstr(answer, "\"result\"") ? 0 : 1;
}
