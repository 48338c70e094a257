// The console terminal's line discipline on its own (Terminal/LineDiscipline.cs): what a read(2)
// sees after bytes are typed, what is echoed, and which signals are asked for — POSIX.1-2017
// XBD 11 "General Terminal Interface", with Linux n_tty's choices where POSIX leaves them open.
using System.Text;

namespace Biscuit.Posix.Tests;

public sealed class LineDisciplineTests
{
    private readonly LineDiscipline d = new();

    private string Type(string keys) => Encoding.ASCII.GetString(d.Receive(Encoding.ASCII.GetBytes(keys)).Echo);

    private string ReadText(int count = 100)
    {
        var buffer = new byte[count];
        long n = d.Read(buffer);
        Assert.True(n >= 0, $"read answered {n}");
        return Encoding.ASCII.GetString(buffer, 0, (int)n);
    }

    private static TerminalSettings Raw(TerminalSettings s, byte vmin = 1) =>
        s with { LocalFlags = s.LocalFlags & ~(TerminalSettings.ICANON | TerminalSettings.ECHO), ControlChars = WithMin(s.ControlChars, vmin) };

    private static byte[] WithMin(byte[] cc, byte vmin)
    {
        var copy = (byte[])cc.Clone();
        copy[TerminalSettings.VMIN] = vmin;
        return copy;
    }

    [Fact]
    public void A_canonical_read_waits_until_the_line_is_finished_by_a_carriage_return_that_becomes_a_newline()
    {
        Assert.Equal("ls", Type("ls"));
        Assert.Equal(-Errno.EAGAIN, d.Read(new byte[10]));
        Assert.False(d.Readable);
        Assert.Equal("\n", Type("\r"));
        Assert.True(d.Readable);
        Assert.Equal("ls\n", ReadText());
        Assert.Equal(-Errno.EAGAIN, d.Read(new byte[10]));
    }

    [Fact]
    public void A_canonical_read_returns_at_most_one_line_and_a_short_buffer_takes_the_rest_next_time()
    {
        Type("one\rtwo\r");
        Assert.Equal("one\n", ReadText());
        Assert.Equal("tw", ReadText(2));
        Assert.Equal("o\n", ReadText());
        Assert.Equal(0, d.BytesAvailable);
    }

    [Fact]
    public void Del_and_backspace_erase_the_last_character_and_echo_backspace_space_backspace()
    {
        Assert.Equal("cax\b \b", Type("cax\x7f"));
        Assert.Equal("\b \b", Type("\b"));
        Type("at\r");
        Assert.Equal("cat\n", ReadText());
    }

    [Fact]
    public void Erasing_a_control_character_shown_as_caret_letter_erases_both_columns()
    {
        Assert.Equal("a^A", Type("a\x01"));
        Assert.Equal("\b \b\b \b", Type("\x7f"));
        Type("\r");
        Assert.Equal("a\n", ReadText());
    }

    [Fact]
    public void Erase_on_an_empty_line_does_nothing()
    {
        Assert.Equal("", Type("\x7f\x7f"));
        Type("x\r");
        Assert.Equal("x\n", ReadText());
    }

    [Fact]
    public void Ctrl_u_kills_the_whole_line_being_typed()
    {
        Assert.Equal("rm -rf" + string.Concat(Enumerable.Repeat("\b \b", 6)), Type("rm -rf\x15"));
        Type("ok\r");
        Assert.Equal("ok\n", ReadText());
    }

    [Fact]
    public void Ctrl_w_erases_the_last_word_and_the_blanks_after_it()
    {
        Type("echo hello  \x17");
        Type("bye\r");
        Assert.Equal("echo bye\n", ReadText());
    }

    [Fact]
    public void Ctrl_d_on_an_empty_line_makes_the_next_read_return_0_and_later_reads_wait_again()
    {
        Assert.Equal("", Type("\x04"));
        Assert.True(d.Readable);
        Assert.Equal(0, d.Read(new byte[10]));
        Assert.Equal(-Errno.EAGAIN, d.Read(new byte[10]));
    }

    [Fact]
    public void Ctrl_d_after_some_characters_ends_the_line_without_a_newline()
    {
        Type("abc\x04");
        Assert.Equal("abc", ReadText());
        Assert.Equal(-Errno.EAGAIN, d.Read(new byte[10]));
    }

    [Fact]
    public void Ctrl_c_and_ctrl_backslash_flush_the_input_echo_caret_and_ask_for_SIGINT_and_SIGQUIT()
    {
        Type("first\r");
        var effects = d.Receive("half\x03"u8);
        Assert.Equal([LineDiscipline.SIGINT], effects.Signals);
        Assert.EndsWith("^C", Encoding.ASCII.GetString(effects.Echo));
        Assert.False(d.Readable);
        Assert.Equal([LineDiscipline.SIGQUIT], d.Receive("\x1c"u8).Signals);
        Type("after\r");
        Assert.Equal("after\n", ReadText());
    }

    [Fact]
    public void Without_ISIG_ctrl_c_is_an_ordinary_character()
    {
        var s = d.Settings;
        d.Apply(s with { LocalFlags = s.LocalFlags & ~TerminalSettings.ISIG }, flushInput: false);
        Assert.Empty(d.Receive("\x03\r"u8).Signals);
        Assert.Equal("\x03\n", ReadText());
    }

    [Fact]
    public void Without_ECHO_nothing_is_echoed_but_the_line_still_arrives()
    {
        var s = d.Settings;
        d.Apply(s with { LocalFlags = s.LocalFlags & ~TerminalSettings.ECHO }, flushInput: false);
        Assert.Equal("", Type("secret\x7f\r"));
        Assert.Equal("secre\n", ReadText());
    }

    [Fact]
    public void With_ECHONL_but_without_ECHO_only_the_newline_is_echoed()
    {
        var s = d.Settings;
        d.Apply(s with { LocalFlags = (s.LocalFlags & ~TerminalSettings.ECHO) | TerminalSettings.ECHONL }, flushInput: false);
        Assert.Equal("\n", Type("pw\r"));
    }

    [Fact]
    public void Non_canonical_mode_gives_every_byte_at_once_and_leaves_erase_and_eof_to_the_application()
    {
        d.Apply(Raw(d.Settings), flushInput: false);
        Assert.Equal("", Type("a\x7f\x04"));
        Assert.Equal("a\x7f\x04", ReadText());
        Assert.Equal(-Errno.EAGAIN, d.Read(new byte[10]));
    }

    [Fact]
    public void Non_canonical_mode_keeps_mapping_carriage_return_to_newline_as_long_as_ICRNL_is_set()
    {
        d.Apply(Raw(d.Settings), flushInput: false);
        Type("\r");
        Assert.Equal("\n", ReadText());
        var s = d.Settings;
        d.Apply(s with { InputFlags = 0 }, flushInput: false);
        Type("\r");
        Assert.Equal("\r", ReadText());
    }

    [Fact]
    public void Non_canonical_VMIN_0_VTIME_0_reads_return_0_at_once_when_nothing_was_typed_but_poll_waits_for_a_byte()
    {
        d.Apply(Raw(d.Settings, vmin: 0), flushInput: false);
        Assert.Equal(0, d.Read(new byte[4]));
        Assert.False(d.Readable);
        Type("q");
        Assert.True(d.Readable);
        Assert.Equal("q", ReadText());
    }

    [Fact]
    public void Leaving_canonical_mode_makes_the_half_typed_line_readable()
    {
        Type("par");
        d.Apply(Raw(d.Settings), flushInput: false);
        Assert.Equal("par", ReadText());
    }

    [Fact]
    public void TCSETSF_flushes_what_was_typed_and_not_read()
    {
        Type("old\r");
        d.Apply(d.Settings, flushInput: true);
        Assert.Equal(-Errno.EAGAIN, d.Read(new byte[10]));
    }

    [Fact]
    public void A_line_longer_than_4095_characters_keeps_its_first_4095_and_rings_the_bell_for_the_rest()
    {
        string echo = Type(new string('x', LineDiscipline.MaxLine + 3));
        Assert.EndsWith("\a\a\a", echo);
        Assert.Equal(3, d.Dropped);
        Type("\r");
        Assert.Equal(LineDiscipline.MaxLine + 1, ReadText(LineDiscipline.MaxLine + 10).Length);
    }

    [Fact]
    public void Input_beyond_64_KiB_waiting_is_dropped_and_counted_never_an_error()
    {
        d.Apply(Raw(d.Settings), flushInput: false);
        d.Receive(new byte[LineDiscipline.MaxPending + 10]);
        Assert.Equal(10, d.Dropped);
        Assert.Equal(LineDiscipline.MaxPending, d.BytesAvailable);
    }

    [Fact]
    public void After_EndInput_reads_drain_what_is_left_then_return_0()
    {
        Type("last\r");
        d.EndInput();
        Assert.Equal("last\n", ReadText());
        Assert.Equal(0, d.Read(new byte[10]));
        Assert.True(d.Readable);
    }

    [Fact]
    public void A_zero_length_read_returns_0_without_waiting()
    {
        Assert.Equal(0, d.Read(Span<byte>.Empty));
    }

    [Fact]
    public void Termios_encodes_to_the_kernels_36_bytes_and_decodes_back_and_a_short_buffer_is_refused()
    {
        var cooked = TerminalSettings.Cooked();
        byte[] bytes = cooked.Encode();
        Assert.Equal(36, bytes.Length);
        Assert.Equal(0x7F, bytes[17 + TerminalSettings.VERASE]);
        var back = TerminalSettings.Decode(bytes);
        Assert.Equal(cooked.LocalFlags, back.LocalFlags);
        Assert.Equal(cooked.ControlChars, back.ControlChars);
        Assert.Throws<ArgumentException>(() => TerminalSettings.Decode(new byte[35]));
    }
}
