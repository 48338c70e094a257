/* appload.h — the ELF loader a miniature posix needs (apphost.c, forkhost.c): an application process
   built from a boot module with process_create, process_mmap, process_mprotect and process_write
   (the ELF's PT_LOAD segments and a System V initial stack: argc, argv, envp, auxv), given a badged
   personality endpoint and started with process_start. The includer defines APP_MODULE (the boot
   module's name, also argv[0]) and the errno constants EINVAL_ and EIO_. */
#ifndef APPLOAD_H
#define APPLOAD_H
#include <elf.h>
#include <stdlib.h>
#include <string.h>
#include "biscuit.h"

enum { PROT_R = 1, PROT_W = 2, PROT_X = 4, MAP_PRIV = 2, MAP_FIX = 0x10, MAP_ANON = 0x20 };
#define STACK_TOP 0x00007ff000000000UL
#define STACK_BYTES (128 * 1024UL)

struct loaded { uint32_t process; uint64_t entry, phdr, brk, sp; int phnum; };

static unsigned char *read_module(const char *name, size_t *size)
{
    size_t capacity = 1 << 20, n = 0;
    unsigned char *image = malloc(capacity);
    for (;;)
    {
        long r = bsys5(SYS_module_read, name, strlen(name), n, image + n, capacity - n);
        if (r <= 0) break;
        n += (size_t)r;
    }
    *size = n;
    return image;
}

static uint64_t page_down(uint64_t v) { return v & ~4095UL; }
static uint64_t page_up(uint64_t v) { return (v + 4095) & ~4095UL; }

/* Maps the whole image writable, copies every PT_LOAD's file bytes in (bss stays zero), then gives
   each segment its own protection, as a posix's execve would. Returns 0 or a negative errno. */
static long load_segments(uint32_t process, const unsigned char *image, size_t size, struct loaded *out)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)image;
    if (size < sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0) return -EINVAL_;
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(image + eh->e_phoff);
    uint64_t low = ~0UL, high = 0;
    for (int i = 0; i < eh->e_phnum; i++)
    {
        if (ph[i].p_type != PT_LOAD) continue;
        if (page_down(ph[i].p_vaddr) < low) low = page_down(ph[i].p_vaddr);
        if (page_up(ph[i].p_vaddr + ph[i].p_memsz) > high) high = page_up(ph[i].p_vaddr + ph[i].p_memsz);
        if (ph[i].p_offset == 0) out->phdr = ph[i].p_vaddr + eh->e_phoff;
    }
    long r = process_mmap(process, low, high - low, PROT_R | PROT_W, MAP_PRIV | MAP_FIX);
    if (r != (long)low) return r < 0 ? r : -EINVAL_;
    for (int i = 0; i < eh->e_phnum; i++)
    {
        if (ph[i].p_type != PT_LOAD || ph[i].p_filesz == 0) continue;
        r = process_write(process, ph[i].p_vaddr, image + ph[i].p_offset, ph[i].p_filesz);
        if (r != (long)ph[i].p_filesz) return r < 0 ? r : -EIO_;
    }
    for (int i = 0; i < eh->e_phnum; i++)
    {
        if (ph[i].p_type != PT_LOAD) continue;
        int prot = ((ph[i].p_flags & PF_R) ? PROT_R : 0) | ((ph[i].p_flags & PF_W) ? PROT_W : 0) | ((ph[i].p_flags & PF_X) ? PROT_X : 0);
        uint64_t start = page_down(ph[i].p_vaddr);
        r = process_mprotect(process, start, page_up(ph[i].p_vaddr + ph[i].p_memsz) - start, prot);
        if (r != 0) return r;
    }
    out->entry = eh->e_entry;
    out->phnum = eh->e_phnum;
    out->brk = high + 0x100000;       /* a gap, then the brk heap */
    return 0;
}

/* The System V initial stack (AMD64 ABI §3.4.1): argc, argv, NULL, envp, NULL, auxv, AT_NULL, at
   a 16-byte aligned RSP; strings and AT_RANDOM's bytes above it. Written with process_write. */
static long build_stack(uint32_t process, const char *mode, struct loaded *l)
{
    long r = process_mmap(process, STACK_TOP - STACK_BYTES, STACK_BYTES, PROT_R | PROT_W, MAP_PRIV | MAP_FIX | MAP_ANON);
    if (r != (long)(STACK_TOP - STACK_BYTES)) return r < 0 ? r : -EINVAL_;
    unsigned char area[512];
    memset(area, 0, sizeof area);
    uint64_t area_base = STACK_TOP - sizeof area;
    size_t at = 0;
    const char *strings[3] = { APP_MODULE, mode, "HOME=/" };
    uint64_t addresses[3];
    for (int i = 0; i < 3; i++)
    {
        addresses[i] = area_base + at;
        strcpy((char *)area + at, strings[i]);
        at += strlen(strings[i]) + 1;
    }
    uint64_t random_at = area_base + at;
    for (int i = 0; i < 16; i++) area[at++] = (unsigned char)(i * 37 + 11);
    r = process_write(process, area_base, area, sizeof area);
    if (r != (long)sizeof area) return r < 0 ? r : -EIO_;

    uint64_t words[32];
    int n = 0;
    words[n++] = 2;                                   /* argc */
    words[n++] = addresses[0]; words[n++] = addresses[1]; words[n++] = 0;
    words[n++] = addresses[2]; words[n++] = 0;
    words[n++] = AT_PHDR; words[n++] = l->phdr;
    words[n++] = AT_PHENT; words[n++] = sizeof(Elf64_Phdr);
    words[n++] = AT_PHNUM; words[n++] = (uint64_t)l->phnum;
    words[n++] = AT_PAGESZ; words[n++] = 4096;
    words[n++] = AT_ENTRY; words[n++] = l->entry;
    words[n++] = AT_RANDOM; words[n++] = random_at;
    words[n++] = AT_NULL; words[n++] = 0;
    l->sp = (area_base - (uint64_t)n * 8) & ~15UL;
    r = process_write(process, l->sp, words, (size_t)n * 8);
    return r == (long)n * 8 ? 0 : (r < 0 ? r : -EIO_);
}

/* process_create + load + stack + personality (a badged Send-only copy of `endpoint`) + start, from
   the boot module APP_MODULE (defined by the includer). */
static long launch(const char *mode, uint32_t endpoint, uint64_t badge, struct loaded *l, long *tid)
{
    static unsigned char *image;
    static size_t size;
    if (image == 0) image = read_module(APP_MODULE, &size);
    memset(l, 0, sizeof *l);
    long process = process_create(APP_MODULE, 0, 0);
    if (process < 0) return process;
    l->process = (uint32_t)process;
    long r = load_segments(l->process, image, size, l);
    if (r == 0) r = build_stack(l->process, mode, l);
    long personality = bsys3(SYS_handle_dup, endpoint, R_SEND, badge);
    if (r == 0) r = personality < 0 ? personality : process_set_personality(l->process, (uint32_t)personality);
    if (personality > 0) bsys1(SYS_handle_close, personality);   /* the process holds its own reference */
    if (r == 0) r = process_set_pid(l->process, (long)badge);   /* as posix: the badge is the pid */
    if (r == 0) r = process_start(l->process, l->entry, l->sp, l->brk);
    if (r < 0) return r;
    *tid = r;
    return 0;
}

#endif
