/*
 * cpu.S — privileged instructions that C# cannot express, each a tiny System V function that
 * Arch/X64/Cpu.cs imports by name. No function here touches memory other than through its
 * arguments, and none enables interrupts except cpu_wait_for_interrupt.
 */
        .intel_syntax noprefix
        .section .text

        .macro FUNC name
        .global \name
        .type \name, @function
\name:
        .endm

FUNC cpu_outb
        mov     edx, edi
        mov     eax, esi
        out     dx, al
        ret
FUNC cpu_outw
        mov     edx, edi
        mov     eax, esi
        out     dx, ax
        ret
FUNC cpu_outl
        mov     edx, edi
        mov     eax, esi
        out     dx, eax
        ret
FUNC cpu_inb
        mov     edx, edi
        xor     eax, eax
        in      al, dx
        ret
FUNC cpu_inw
        mov     edx, edi
        xor     eax, eax
        in      ax, dx
        ret
FUNC cpu_inl
        mov     edx, edi
        in      eax, dx
        ret
FUNC cpu_read_cr2
        mov     rax, cr2
        ret
FUNC cpu_read_cr3
        mov     rax, cr3
        ret
FUNC cpu_write_cr3
        mov     cr3, rdi
        ret
FUNC cpu_read_msr
        mov     ecx, edi
        rdmsr
        shl     rdx, 32
        or      rax, rdx
        ret
FUNC cpu_write_msr
        mov     ecx, edi
        mov     eax, esi
        mov     rdx, rsi
        shr     rdx, 32
        wrmsr
        ret
FUNC cpu_read_tsc
        rdtsc
        shl     rdx, 32
        or      rax, rdx
        ret
FUNC cpu_invlpg
        invlpg  [rdi]
        ret
        /* cpu_load_gdt(pointer, code selector, data selector): reload every segment register. */
FUNC cpu_load_gdt
        lgdt    [rdi]
        mov     ds, dx
        mov     es, dx
        mov     ss, dx
        xor     eax, eax
        mov     fs, ax
        mov     gs, ax
        pop     rax                              /* return address */
        push    rsi
        push    rax
        retfq                                    /* reloads CS (SDM Vol. 2B, RET far) */
FUNC cpu_load_idt
        lidt    [rdi]
        ret
FUNC cpu_load_task_register
        ltr     di
        ret
FUNC cpu_disable_interrupts
        cli
        ret
        /* Atomically enable interrupts and halt (STI's one-instruction shadow, SDM Vol. 2B STI),
           then disable them again: interrupts are only ever taken inside this function. */
FUNC cpu_wait_for_interrupt
        sti
        hlt
        cli
        ret
FUNC cpu_halt_forever
        cli
1:      hlt
        jmp     1b
        /* Deliberate faults for the fault tests (Diagnostics/DeliberateFaults.cs). */
FUNC cpu_execute_ud2
        ud2
        ret
FUNC cpu_load_bad_segment
        mov     eax, 0xFFF8                      /* a selector far beyond the GDT: #GP(selector) */
        mov     ds, ax
        ret
        /* CPUID leaf edi: returns EDX (SDM Vol. 2A, CPUID; leaf 1 EDX = the feature flags Linux reports as AT_HWCAP). */
FUNC cpu_cpuid_edx
        push    rbx
        mov     eax, edi
        xor     ecx, ecx
        cpuid
        mov     eax, edx
        pop     rbx
        ret
