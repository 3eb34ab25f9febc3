/* Reads stdin line by line (semihosting SYS_READ) and echoes each line with its number;
 * exits with the number of lines read. */
#include <stdio.h>
#include <string.h>

int main(void)
{
    char line[128];
    int n = 0;
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = 0;
        printf("%d: %s\n", ++n, line);
    }
    printf("lines: %d\n", n);
    return n;
}
