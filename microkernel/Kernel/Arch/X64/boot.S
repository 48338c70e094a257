/*
 * boot.S — from Multiboot (32-bit protected mode) to C# in 64-bit long mode, higher half.
 *
 * QEMU's -kernel loads this image as Multiboot 1 (a.out kludge: explicit load addresses, flag
 * bit 16), at physical 1 MiB, and enters _start32 with EAX = 0x2BADB002, EBX = Multiboot info
 * (physical), paging off, interrupts off (Multiboot spec 0.6.96 §3.2).
 *
 * Steps (Intel SDM Vol. 3A §10.8.5 "Initializing IA-32e Mode"):
 *   1. build boot page tables: identity map of 0-1 GiB (only used to survive the switch),
 *      the kernel window 0xFFFFFFFF80000000 -> 0-1 GiB, and the physical-memory window
 *      0xFFFF800000000000 -> 0-4 GiB, all with 2 MiB pages;
 *   2. CR4.PAE, CR3, EFER.LME and EFER.NXE, then CR0.PG;
 *   3. far jump into a 64-bit code segment, then to the higher-half address;
 *   4. enable SSE (CR0.EM=0, CR0.MP=1, CR4.OSFXSR, CR4.OSXMMEXCPT; SDM Vol. 3A §14.1.3), because
 *      ILC-generated code uses xmm registers;
 *   5. call kmain(magic, info, &kernel_layout) on the boot stack, which has an unmapped guard
 *      page below it once the kernel's own page tables are loaded.
 * The C# kernel replaces these page tables with its own (Memory/KernelAddressSpace.cs).
 */
        .intel_syntax noprefix
        .set KERNEL_BASE, 0xFFFFFFFF80000000
        .set MB_MAGIC, 0x1BADB002
        .set MB_FLAGS, (1 << 0) | (1 << 1) | (1 << 16)   /* align modules, memory map, a.out kludge */

        .section .multiboot, "a"
        .align 4
multiboot_header:
        .long MB_MAGIC
        .long MB_FLAGS
        .long -(MB_MAGIC + MB_FLAGS)
        .long multiboot_header - KERNEL_BASE     /* header_addr */
        .long __image_start - KERNEL_BASE        /* load_addr */
        .long __load_end - KERNEL_BASE           /* load_end_addr */
        .long __bss_end - KERNEL_BASE            /* bss_end_addr: QEMU zeroes up to here */
        .long _start32 - KERNEL_BASE             /* entry_addr */

        .section .boot.text, "ax"
        .code32
        .global _start32
_start32:
        cli
        mov     edi, eax                         /* keep magic and info for kmain */
        mov     esi, ebx
        mov     esp, offset boot_stack_top - KERNEL_BASE

        /* PML4[0] and PML4[511] and PML4[256] */
        mov     eax, offset boot_pdpt_low - KERNEL_BASE
        or      eax, 3
        mov     [boot_pml4 - KERNEL_BASE], eax
        mov     eax, offset boot_pdpt_high - KERNEL_BASE
        or      eax, 3
        mov     [boot_pml4 - KERNEL_BASE + 511 * 8], eax
        mov     eax, offset boot_pdpt_phys - KERNEL_BASE
        or      eax, 3
        mov     [boot_pml4 - KERNEL_BASE + 256 * 8], eax

        /* PDPT_low[0] -> PD_low; PDPT_high[510] -> PD_low (same 0-1 GiB) */
        mov     eax, offset boot_pd_low - KERNEL_BASE
        or      eax, 3
        mov     [boot_pdpt_low - KERNEL_BASE], eax
        mov     [boot_pdpt_high - KERNEL_BASE + 510 * 8], eax

        /* PD_low: 512 x 2 MiB = 0-1 GiB, present|write|PS */
        mov     ecx, 0
1:      mov     eax, ecx
        shl     eax, 21
        or      eax, 0x83
        mov     [boot_pd_low - KERNEL_BASE + ecx * 8], eax
        inc     ecx
        cmp     ecx, 512
        jb      1b

        /* PDPT_phys[0..3] -> PD_phys[0..3]; PD_phys: 2048 x 2 MiB = 0-4 GiB */
        mov     ecx, 0
2:      mov     eax, ecx
        shl     eax, 12
        add     eax, offset boot_pd_phys - KERNEL_BASE
        or      eax, 3
        mov     [boot_pdpt_phys - KERNEL_BASE + ecx * 8], eax
        inc     ecx
        cmp     ecx, 4
        jb      2b
        mov     ecx, 0
3:      mov     eax, ecx
        shl     eax, 21
        or      eax, 0x83
        mov     [boot_pd_phys - KERNEL_BASE + ecx * 8], eax
        mov     eax, ecx
        shr     eax, 11                          /* high half of the physical address */
        mov     [boot_pd_phys - KERNEL_BASE + ecx * 8 + 4], eax
        inc     ecx
        cmp     ecx, 2048
        jb      3b

        mov     eax, cr4
        or      eax, (1 << 5)                    /* PAE */
        mov     cr4, eax
        mov     eax, offset boot_pml4 - KERNEL_BASE
        mov     cr3, eax
        mov     ecx, 0xC0000080                  /* IA32_EFER */
        rdmsr
        or      eax, (1 << 8) | (1 << 11)        /* LME, NXE */
        wrmsr
        mov     eax, cr0
        or      eax, (1 << 31) | (1 << 0)        /* PG, PE */
        mov     cr0, eax

        lgdt    [boot_gdt_pointer - KERNEL_BASE]
        .byte   0xEA                             /* jmp far ptr16:32 (SDM Vol. 2A, JMP) */
        .long   _start64_low - KERNEL_BASE
        .word   0x08

        .code64
_start64_low:
        movabs  rax, offset _start64
        jmp     rax

        .section .text, "ax"
_start64:
        mov     ax, 0x10
        mov     ds, ax
        mov     es, ax
        mov     ss, ax
        xor     ax, ax
        mov     fs, ax
        mov     gs, ax
        movabs  rsp, offset boot_stack_top

        mov     rax, cr0
        and     rax, ~(1 << 2)                   /* EM = 0 */
        or      rax, (1 << 1)                    /* MP = 1 */
        mov     cr0, rax
        mov     rax, cr4
        or      rax, (1 << 9) | (1 << 10)        /* OSFXSR, OSXMMEXCPT */
        mov     cr4, rax

        /* edi = magic, esi = info (zero-extended by the 32-bit moves above) */
        mov     edi, edi
        mov     esi, esi
        movabs  rdx, offset kernel_layout
        xor     ebp, ebp
        call    kmain
4:      cli
        hlt
        jmp     4b

        .section .rodata
        .align 16
boot_gdt:
        .quad   0
        .quad   0x00AF9A000000FFFF                   /* 0x08: 64-bit code, DPL 0 */
        .quad   0x00CF92000000FFFF                   /* 0x10: data, DPL 0 */
boot_gdt_end:
boot_gdt_pointer:
        .word   boot_gdt_end - boot_gdt - 1
        .long   boot_gdt - KERNEL_BASE

        /* What the linker knows and C# needs: section bounds (Memory/KernelImage.cs reads this). */
        .align 8
        .global kernel_layout
kernel_layout:
        .quad   __image_start, __text_start, __text_end, __rodata_start, __rodata_end
        .quad   __data_start, __data_end, __bss_start, __bss_end
        .quad   __modules_start, __modules_end
        .quad   boot_stack_guard, boot_stack_top
        .quad   ist_stack_double_fault_guard, ist_stack_double_fault_top
        .quad   ist_stack_page_fault_guard, ist_stack_page_fault_top
        .quad   interrupt_stub_table

        .data
        .align 8
        .global __security_cookie
__security_cookie:
        .quad   0x2B992DDFA232E1AB

        /* Boot page tables and stacks. The guard pages are left unmapped by the kernel's own
           page tables, so overflowing a stack faults instead of corrupting memory. */
        .section .bootstacks, "aw", @nobits
        .align 4096
boot_pml4:      .skip 4096
boot_pdpt_low:  .skip 4096
boot_pdpt_high: .skip 4096
boot_pdpt_phys: .skip 4096
boot_pd_low:    .skip 4096
boot_pd_phys:   .skip 4096 * 4
        .global boot_stack_guard
boot_stack_guard:               .skip 4096
boot_stack:                     .skip 65536
boot_stack_top:
ist_stack_double_fault_guard:   .skip 4096
ist_stack_double_fault:         .skip 16384
ist_stack_double_fault_top:
ist_stack_page_fault_guard:     .skip 4096
ist_stack_page_fault:           .skip 16384
ist_stack_page_fault_top:
