// Kernel text output over the serial port, with number formatting that needs no allocation
// (the kernel never builds strings). Every line the kernel prints goes through here.
using Biscuit.Kernel.Arch.X64;

namespace Biscuit.Kernel.Diagnostics
{
    internal static unsafe class Console
    {
        public static void Write(string text)
        {
            for (int i = 0; i < text.Length; i++)
                Put(text[i]);
        }

        public static void WriteLine(string text) { Write(text); NewLine(); }
        public static void NewLine() => SerialPort.WriteByte((byte)'\n');

        public static void Write(byte* text, int length)
        {
            for (int i = 0; i < length; i++)
                SerialPort.WriteByte(text[i]);
        }

        private static void Put(char c)
        {
            if (c == '\n') { SerialPort.WriteByte((byte)'\n'); return; }
            SerialPort.WriteByte(c < 0x80 ? (byte)c : (byte)'?');
        }

        public static void WriteDecimal(ulong value)
        {
            byte* digits = stackalloc byte[20];
            int n = 0;
            do { digits[n++] = (byte)('0' + (int)(value % 10)); value /= 10; } while (value != 0);
            while (n > 0) SerialPort.WriteByte(digits[--n]);
        }

        public static void WriteSigned(long value)
        {
            if (value < 0) { SerialPort.WriteByte((byte)'-'); WriteDecimal((ulong)(-value)); }
            else WriteDecimal((ulong)value);
        }

        // Hexadecimal with a 0x prefix, zero-padded to `width` digits (1..16).
        public static void WriteHex(ulong value, int width = 1)
        {
            Write("0x");
            WriteHexDigits(value, width);
        }

        public static void WriteHexDigits(ulong value, int width)
        {
            int digits = 16;
            while (digits > width && ((value >> ((digits - 1) * 4)) & 0xF) == 0) digits--;
            for (int i = digits - 1; i >= 0; i--)
            {
                int d = (int)((value >> (i * 4)) & 0xF);
                SerialPort.WriteByte((byte)(d < 10 ? '0' + d : 'a' + d - 10));
            }
        }

        // Sizes as "N KiB" (or MiB when exact enough to read well).
        public static void WriteKiB(ulong bytes)
        {
            WriteDecimal(bytes / 1024);
            Write(" KiB");
        }
    }
}
