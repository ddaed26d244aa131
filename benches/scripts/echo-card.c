/* A second independent reference card for vpcd-throughput.sh: echo-card.py in C, for the
 * floor without an interpreter. A vsmartcard vpcd client answering every command APDU with
 * 90 00, written from vpcd's wire protocol alone (vpcd.c: 2-byte big-endian length + payload;
 * 1-byte payloads 00 off, 01 on, 02 reset, 04 get ATR). TCP_NODELAY, and TCP_QUICKACK re-armed
 * before each read (Debian's vpcd 0.8 sends length and body in two writes with Nagle on).
 * Build: cc -O2 -o echo-card echo-card.c     Run: echo-card 127.0.0.1 PORT */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const unsigned char ATR[] = {0x00, 0x0B, 0x3B, 0x95, 0x13, 0x81, 0x01,
                                    0x80, 0x73, 0xFF, 0x01, 0x00, 0x0B};
static const unsigned char OK[] = {0x00, 0x02, 0x90, 0x00};

static int read_exact(int fd, unsigned char *buf, size_t n) {
    int one = 1;
    while (n > 0) {
        setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
        ssize_t r = read(fd, buf, n);
        if (r <= 0) return -1;
        buf += r;
        n -= (size_t)r;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 3) return 2;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)atoi(argv[2]));
    inet_pton(AF_INET, argv[1], &addr.sin_addr);
    static unsigned char buf[65536];
    for (;;) {
        int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
        if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
            close(fd);
            usleep(50000);
            continue;
        }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        for (;;) {
            unsigned char len[2];
            if (read_exact(fd, len, 2) != 0) break;
            size_t n = ((size_t)len[0] << 8) | len[1];
            if (read_exact(fd, buf, n) != 0) break;
            if (n == 1) {
                if (buf[0] == 0x04 && write(fd, ATR, sizeof ATR) != sizeof ATR) break;
                continue;
            }
            if (write(fd, OK, sizeof OK) != sizeof OK) break;
        }
        close(fd);
    }
}
