/* hello — an ordinary static Linux program (musl's start-up, printf, exit): the kernel must lay
   out argv, envp and auxv as Linux does, and answer the few Linux calls musl makes. */
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

int main(int argc, char **argv, char **envp)
{
    int failures = 0;
#define CHECK(c, what) do { if (c) printf("ok - %s\n", what); else { printf("not ok - %s\n", what); failures++; } } while (0)
    CHECK(argc >= 1 && (strcmp(argv[0], "hello") == 0 || argc >= 2), "argv[0] names the program");
    CHECK(argv[argc] == NULL, "argv is NULL-terminated");
    CHECK(envp[0] != NULL && strcmp(envp[0], "HOME=/") == 0, "envp holds HOME=/");
    CHECK(getauxval(AT_PAGESZ) == 4096, "AT_PAGESZ is 4096");
    CHECK(getauxval(AT_RANDOM) != 0, "AT_RANDOM points at random bytes");
    CHECK(getauxval(AT_PHDR) != 0 && getauxval(AT_PHNUM) > 0, "AT_PHDR and AT_PHNUM describe the program headers");
    CHECK(getauxval(AT_ENTRY) != 0, "AT_ENTRY is the entry point");
    CHECK(getauxval(AT_HWCAP) != 0, "AT_HWCAP carries the CPU feature flags");
    CHECK(((unsigned long)__builtin_frame_address(0) & 0xF) == 0, "the stack is 16-byte aligned");
    for (int i = 1; i < argc; i++) printf("arg %d: %s\n", i, argv[i]);
    printf("hello: %s\n", failures ? "FAILED" : "done");
    return failures;
}
