/* main.c - placeholder until the daemon entry point lands. */
int main(void)
{
        return 0;
}
