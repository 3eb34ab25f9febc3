/* Hardware floating point (on FPU cores the start-up enables CP10/CP11): sqrtf and printf %f. */
#include <math.h>
#include <stdio.h>

volatile float x = 2.0f;

int main(void)
{
    float r = sqrtf(x);
    printf("sqrt(2) = %.6f\n", (double)r);
    return (r > 1.4142f && r < 1.4143f) ? 0 : 1;
}
