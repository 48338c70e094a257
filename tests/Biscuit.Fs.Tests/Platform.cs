// These tests run on Linux only (they drive e2fsprogs and use Unix file modes).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
