/* Never exits: --max-cycles must stop it. */
volatile unsigned spin;

int main(void)
{
    for (;;)
        spin++;
}
