/* Semihosting files: write, reopen, seek, read back, flen (ftell after fseek end), remove. */
#include <stdio.h>

int main(void)
{
    FILE *f = fopen("mcusim_semihosting_test.txt", "w");
    if (!f)
        return 10;
    fputs("0123456789", f);
    fclose(f);
    f = fopen("mcusim_semihosting_test.txt", "r");
    if (!f)
        return 11;
    fseek(f, 4, SEEK_SET);
    char buf[8] = {0};
    fread(buf, 1, 3, f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fclose(f);
    printf("read %s len %ld\n", buf, len);
    if (remove("mcusim_semihosting_test.txt") != 0)
        return 12;
    return fopen("mcusim_semihosting_test.txt", "r") == NULL ? 0 : 13;
}
