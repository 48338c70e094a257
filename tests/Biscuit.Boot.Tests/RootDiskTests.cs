// The root disk (issue 7 item 3, issue 5 item 5): boot/rootfs/build.sh turns Debian 12's nginx
// package, and every library its ELF files need, all downloaded from the Debian archive, into an
// ext3 image with a configuration and a docroot. The host's own tools judge the result: debugfs
// reads the image back, readelf follows nginx's DT_NEEDED entries inside it, e2fsck checks it, and
// Debian's nginx, run from the staged tree, accepts its configuration. The fixture builds into a
// folder of its own (ROOTFS_OUT), sharing the download cache build/debian-cache/ with ./biscuit.
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Biscuit.Boot.Tests;

public sealed class RootDiskBuild : IDisposable
{
    public readonly string Folder = Directory.CreateTempSubdirectory("biscuit-rootfs-").FullName;
    public string Out => Path.Combine(Folder, "out");
    public string Image => Path.Combine(Out, "rootfs.ext3");
    public string Stage => Path.Combine(Out, "rootfs");
    public string Dump => Path.Combine(Folder, "dump");   // the image's tree, as debugfs reads it
    public readonly (int ExitCode, string Output) First, Second;
    public readonly byte[] ImageHashAfterFirst, ImageHashAfterSecond;
    public readonly DateTime ImageTimeAfterFirst, ImageTimeAfterSecond;

    public RootDiskBuild()
    {
        First = BuildScript($"ROOTFS_OUT=\"{Out}\"");
        if (First.ExitCode != 0) throw new InvalidOperationException("boot/rootfs/build.sh failed:\n" + First.Output);
        ImageHashAfterFirst = HashOf(Image);
        ImageTimeAfterFirst = File.GetLastWriteTimeUtc(Image);
        Second = BuildScript($"ROOTFS_OUT=\"{Out}\"");
        ImageHashAfterSecond = HashOf(Image);
        ImageTimeAfterSecond = File.GetLastWriteTimeUtc(Image);
        Directory.CreateDirectory(Dump);
        var (code, output) = Repository.Run("debugfs", $"-R \"rdump / {Dump}\" \"{Image}\"", TimeSpan.FromMinutes(2));
        if (code != 0) throw new InvalidOperationException("debugfs rdump failed:\n" + output);
    }

    // Runs the build script with environment assignments such as ROOTFS_OUT="...".
    public static (int ExitCode, string Output) BuildScript(string environment) =>
        Repository.Run("env", $"{environment} \"{Path.Combine(Repository.Root, "boot", "rootfs", "build.sh")}\"", TimeSpan.FromMinutes(10));

    public static byte[] HashOf(string file) => SHA256.HashData(File.ReadAllBytes(file));

    // The path inside the dump that a guest path names, following symbolic links as the guest
    // would (an absolute target starts again at the image's root); null if it does not exist.
    public string? Resolve(string guestPath)
    {
        var pending = new Queue<string>(guestPath.Split('/', StringSplitOptions.RemoveEmptyEntries));
        var resolved = new List<string>();
        for (int hops = 0; pending.Count > 0;)
        {
            string part = pending.Dequeue();
            if (part == ".") continue;
            if (part == "..") { if (resolved.Count > 0) resolved.RemoveAt(resolved.Count - 1); continue; }
            string host = Path.Combine(new[] { Dump }.Concat(resolved).Append(part).ToArray());
            var info = new FileInfo(host);
            if (info.LinkTarget is string target)
            {
                if (++hops > 40) return null;
                var rest = pending.ToList();
                pending = new Queue<string>(target.Split('/', StringSplitOptions.RemoveEmptyEntries).Concat(rest));
                if (target.StartsWith('/')) resolved.Clear();
                continue;
            }
            if (!info.Exists && !Directory.Exists(host)) return null;
            resolved.Add(part);
        }
        return Path.Combine(new[] { Dump }.Concat(resolved).ToArray());
    }

    public string ReadText(string guestPath) =>
        File.ReadAllText(Resolve(guestPath) ?? throw new Xunit.Sdk.XunitException($"{guestPath} is not in the image"));

    // debugfs's "stat" of a guest path: (mode bits in octal, user, group).
    public (string Mode, int User, int Group) Stat(string guestPath)
    {
        var (_, text) = Repository.Run("debugfs", $"-R \"stat {guestPath}\" \"{Image}\"", TimeSpan.FromMinutes(1));
        var mode = Regex.Match(text, @"Mode:\s+(\d+)");
        var owner = Regex.Match(text, @"User:\s+(\d+)\s+Group:\s+(\d+)");
        if (!mode.Success || !owner.Success) throw new Xunit.Sdk.XunitException($"debugfs cannot stat {guestPath}:\n{text}");
        return (mode.Groups[1].Value.TrimStart('0'), int.Parse(owner.Groups[1].Value), int.Parse(owner.Groups[2].Value));
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

// One build serves both classes below (a class fixture would build once per class).
[CollectionDefinition("root disk")]
public sealed class RootDiskCollection : ICollectionFixture<RootDiskBuild> { }

[Collection("root disk")]
public class RootDiskTests
{
    // SHA-256 of the benchmark files bench/linux/build.sh serves from the Linux guest: the root
    // disk must serve the very same bytes, or the nginx benchmarks would not compare like with like.
    private const string SmallHtmlSha256 = "5e130f6054ec677904116c826de61ab4b61172fa534ce8acf7825a0266c541db";
    private const string BigBinSha256 = "896a23a82d1ca1bb02d8e2cc96072fa5e0f47efe7edda5fb71f885fc7364d297";

    private readonly RootDiskBuild _disk;
    public RootDiskTests(RootDiskBuild disk) => _disk = disk;

    private static string HexSha256(string file) => Convert.ToHexString(RootDiskBuild.HashOf(file)).ToLowerInvariant();

    // Runs a command with the staged tree as its root, in a network namespace of its own (nginx -t
    // binds port 80): as root (CI) `unshare --net --root`; otherwise also as root of a new user
    // namespace (`--map-root-user`), which needs no privilege.
    private (int ExitCode, string Output) RunInStage(string command)
    {
        string asRoot = Environment.UserName == "root" ? "" : "--map-root-user ";
        return Repository.Run("unshare", $"{asRoot}--net --root=\"{_disk.Stage}\" {command}", TimeSpan.FromMinutes(1));
    }

    // readelf's program interpreter and DT_NEEDED names of an ELF file.
    private static (string? Interpreter, List<string> Needed) ElfNeeds(string file)
    {
        var (code, text) = Repository.Run("readelf", $"-d -l -W \"{file}\"", TimeSpan.FromMinutes(1));
        Assert.True(code == 0, $"readelf {file}: {text}");
        var interp = Regex.Match(text, @"Requesting program interpreter: ([^\]]+)\]");
        var needed = Regex.Matches(text, @"\(NEEDED\)\s+Shared library: \[([^\]]+)\]").Select(m => m.Groups[1].Value).ToList();
        return (interp.Success ? interp.Groups[1].Value : null, needed);
    }

    [Fact]
    public void The_build_stages_Debians_nginx_and_only_the_dependencies_that_ship_a_needed_library()
    {
        Assert.Contains("root disk", _disk.First.Output);
        var packages = File.ReadAllLines(Path.Combine(_disk.Out, "rootfs.packages")).Select(l => l.Split(' ')[0]).ToList();
        foreach (string expected in new[] { "nginx", "nginx-common", "libc6", "libcrypt1", "libpcre2-8-0", "libssl3", "zlib1g" })
            Assert.Contains(expected, packages);
        Assert.DoesNotContain("iproute2", packages);   // in nginx's Depends, but it ships no library nginx loads
        Assert.DoesNotContain("debconf", packages);
    }

    [Fact]
    public void The_images_nginx_is_Debians_1_22_1_byte_for_byte_as_its_package_lists_it()
    {
        string status = _disk.ReadText("/var/lib/dpkg/status");
        var nginx = status.Split("\n\n").Single(p => p.StartsWith("Package: nginx\n", StringComparison.Ordinal));
        Assert.Matches(@"\nVersion: 1\.22\.1-9\+deb12u\d+\n", nginx);
        Assert.Contains("Maintainer: Debian Nginx Maintainers", nginx);
        string md5sums = _disk.ReadText("/var/lib/dpkg/info/nginx.md5sums");
        string listed = md5sums.Split('\n').Single(l => l.EndsWith("  usr/sbin/nginx", StringComparison.Ordinal)).Split(' ')[0];
        string actual = Convert.ToHexString(MD5.HashData(File.ReadAllBytes(_disk.Resolve("/usr/sbin/nginx")!))).ToLowerInvariant();
        Assert.Equal(listed, actual);
    }

    [Fact]
    public void The_dynamic_loader_and_every_library_nginx_needs_transitively_are_in_the_image()
    {
        var pending = new Queue<string>(new[] { "/usr/sbin/nginx" });
        var seen = new HashSet<string>();
        var found = new List<string>();
        string[] searchDirs = { "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib", "/usr/lib" };
        while (pending.Count > 0)
        {
            string guest = pending.Dequeue();
            string? host = _disk.Resolve(guest);
            Assert.True(host != null, $"{guest} is not in the image");
            var (interpreter, needed) = ElfNeeds(host!);
            if (guest == "/usr/sbin/nginx")
            {
                Assert.Equal("/lib64/ld-linux-x86-64.so.2", interpreter);
                Assert.True(_disk.Resolve(interpreter!) != null, "the program interpreter is not in the image");
                found.Add("ld-linux-x86-64.so.2");
            }
            foreach (string name in needed.Where(seen.Add))
            {
                string? where = searchDirs.Select(d => $"{d}/{name}").FirstOrDefault(p => _disk.Resolve(p) != null);
                Assert.True(where != null, $"{name} (needed by {guest}) is in none of {string.Join(", ", searchDirs)} of the image");
                found.Add(name);
                pending.Enqueue(where!);
            }
        }
        Assert.Equal(new[] { "ld-linux-x86-64.so.2", "libc.so.6", "libcrypt.so.1", "libcrypto.so.3", "libpcre2-8.so.0", "libssl.so.3", "libz.so.1" },
            found.Distinct().Order(StringComparer.Ordinal).ToArray());   // libc.so.6 needs the loader too
    }

    [Fact]
    public void The_nginx_configuration_runs_one_process_in_the_foreground_on_port_80_with_sendfile()
    {
        string conf = _disk.ReadText("/etc/nginx/nginx.conf");
        foreach (string directive in new[] { "user root;", "daemon off;", "master_process off;", "worker_processes 1;", "error_log stderr;",
                     "access_log off;", "listen 80;", "sendfile on;", "pid /run/nginx.pid;", "include /etc/nginx/mime.types;",
                     "root /var/www/html;" })
            Assert.Contains(directive, conf);
        Assert.Contains("text/html", _disk.ReadText("/etc/nginx/mime.types"));
    }

    [Fact]
    public void Users_groups_name_service_and_time_zone_are_files_only_and_UTC()
    {
        var users = _disk.ReadText("/etc/passwd").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(':')).ToList();
        Assert.Contains(users, u => u[0] == "root" && u[2] == "0");
        Assert.Contains(users, u => u[0] == "www-data" && u[2] == "33");
        var groups = _disk.ReadText("/etc/group").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(':')[0]).ToList();
        Assert.Equal(new[] { "nogroup", "root", "www-data" }, groups.Order(StringComparer.Ordinal).ToArray());
        var services = _disk.ReadText("/etc/nsswitch.conf").Split('\n')
            .Where(l => !l.StartsWith('#') && l.Contains(':')).Select(l => l.Split(':')[1].Trim()).ToList();
        Assert.NotEmpty(services);
        Assert.All(services, s => Assert.Equal("files", s));
        // RFC 8536: a TZif file; its footer (section 3.3) is the POSIX TZ string of UTC.
        byte[] zone = File.ReadAllBytes(_disk.Resolve("/etc/localtime")!);
        Assert.Equal("TZif", Encoding.ASCII.GetString(zone, 0, 4));
        Assert.EndsWith("\nUTC0\n", Encoding.ASCII.GetString(zone));
    }

    [Fact]
    public void The_folders_nginx_writes_to_exist_with_the_owners_and_modes_it_expects()
    {
        Assert.Equal(("1777", 0, 0), _disk.Stat("/tmp"));
        Assert.Equal(("755", 0, 0), _disk.Stat("/run"));
        Assert.Equal(("755", 0, 0), _disk.Stat("/var/log/nginx"));
        foreach (string temp in new[] { "body", "proxy", "fastcgi", "uwsgi", "scgi" })
            Assert.Equal(("700", 0, 0), _disk.Stat($"/var/lib/nginx/{temp}"));
        Assert.Equal(("755", 0, 0), _disk.Stat("/usr/sbin/nginx"));
        Assert.True(_disk.Resolve("/proc") != null && _disk.Resolve("/dev") != null, "no /proc or /dev mount point");
    }

    [Fact]
    public void The_docroot_serves_the_same_benchmark_bytes_as_the_Linux_guest_and_an_index_page()
    {
        string small = _disk.Resolve("/var/www/html/small.html")!, big = _disk.Resolve("/var/www/html/big.bin")!;
        Assert.Equal(4096, new FileInfo(small).Length);
        Assert.Equal(1048576, new FileInfo(big).Length);
        Assert.Equal(SmallHtmlSha256, HexSha256(small));
        Assert.Equal(BigBinSha256, HexSha256(big));
        Assert.Equal($"{SmallHtmlSha256}  small.html\n{BigBinSha256}  big.bin\n", File.ReadAllText(Path.Combine(_disk.Out, "www.sha256")));
        string index = _disk.ReadText("/var/www/html/index.html");
        Assert.Contains("Served by nginx on Biscuit", index);
        Assert.Contains("href=\"/proc/\"", index);
    }

    [Fact]
    public void The_image_is_ext3_with_only_features_Biscuit_Fs_mounts_read_write_and_e2fsck_finds_it_clean()
    {
        var (code, output) = Repository.Run("e2fsck", $"-fn \"{_disk.Image}\"", TimeSpan.FromMinutes(1));
        Assert.True(code == 0, output);
        var (_, header) = Repository.Run("dumpe2fs", $"-h \"{_disk.Image}\"", TimeSpan.FromMinutes(1));
        var features = Regex.Match(header, @"Filesystem features:\s+(.*)").Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("has_journal", features);
        // servers/fs/README.md, "On-disk format coverage": what a read-write mount accepts.
        string[] supported = { "has_journal", "ext_attr", "resize_inode", "dir_index", "filetype", "sparse_super", "large_file", "flex_bg", "extra_isize" };
        Assert.All(features, f => Assert.Contains(f, supported));
        Assert.Matches(@"Block size:\s+4096", header);
    }

    [Fact]
    public void Debians_nginx_run_from_the_staged_tree_accepts_its_configuration()
    {
        var (code, output) = RunInStage("/usr/sbin/nginx -t -c /etc/nginx/nginx.conf");
        Assert.True(code == 0, output);
        Assert.Contains("configuration file /etc/nginx/nginx.conf test is successful", output);
        var (_, version) = RunInStage("/usr/sbin/nginx -v");
        Assert.Contains("nginx version: nginx/1.22.1", version);
    }

    [Fact]
    public void A_second_build_with_nothing_changed_does_nothing()
    {
        Assert.Equal(0, _disk.Second.ExitCode);
        Assert.Contains("up to date", _disk.Second.Output);
        Assert.DoesNotContain("downloading", _disk.Second.Output);
        Assert.Equal(_disk.ImageHashAfterFirst, _disk.ImageHashAfterSecond);
        Assert.Equal(_disk.ImageTimeAfterFirst, _disk.ImageTimeAfterSecond);
    }

    [Fact]
    public void The_library_check_names_what_a_tree_lacks_and_passes_the_built_tree()
    {
        string script = Path.Combine(Repository.Root, "boot", "rootfs", "needed-libraries.sh");
        var (fullCode, fullOutput) = Repository.Run(script, $"\"{_disk.Stage}\"", TimeSpan.FromMinutes(1));
        Assert.True(fullCode == 0, fullOutput);

        string bare = Path.Combine(_disk.Folder, "bare");
        Directory.CreateDirectory(Path.Combine(bare, "usr", "sbin"));
        File.Copy(_disk.Resolve("/usr/sbin/nginx")!, Path.Combine(bare, "usr", "sbin", "nginx"));
        var (code, output) = Repository.Run(script, $"\"{bare}\"", TimeSpan.FromMinutes(1));
        Assert.Equal(1, code);
        Assert.Contains("interpreter /lib64/ld-linux-x86-64.so.2 needed-by /usr/sbin/nginx", output);
        Assert.Contains("missing libc.so.6 needed-by /usr/sbin/nginx", output);
        Assert.Contains("missing libssl.so.3 needed-by /usr/sbin/nginx", output);
    }

    [Fact]
    public void The_library_check_refuses_a_folder_that_does_not_exist()
    {
        var (code, output) = Repository.Run(Path.Combine(Repository.Root, "boot", "rootfs", "needed-libraries.sh"),
            $"\"{Path.Combine(_disk.Folder, "no-such-folder")}\"", TimeSpan.FromMinutes(1));
        Assert.Equal(2, code);
        Assert.Contains("is not a directory", output);
    }

    [Fact]
    public void A_package_apt_does_not_know_is_named_and_leaves_no_image()
    {
        string output = Path.Combine(_disk.Folder, "unknown");
        var (code, text) = RootDiskBuild.BuildScript($"ROOTFS_OUT=\"{output}\" ROOTFS_PACKAGES=no-such-package-biscuit");
        Assert.Equal(2, code);
        Assert.Contains("apt knows no package 'no-such-package-biscuit'", text);
        Assert.False(File.Exists(Path.Combine(output, "rootfs.ext3")));
    }

    [Fact]
    public void A_cached_package_that_no_longer_matches_the_archive_is_downloaded_again()
    {
        string cache = Path.Combine(_disk.Folder, "cache"), output = Path.Combine(_disk.Folder, "recache");
        Directory.CreateDirectory(cache);
        foreach (string deb in Directory.GetFiles(Path.Combine(Repository.Build, "debian-cache"), "*.deb"))
            File.Copy(deb, Path.Combine(cache, Path.GetFileName(deb)));
        string zlib = Directory.GetFiles(cache, "zlib1g_*.deb").Single();
        File.WriteAllBytes(zlib, File.ReadAllBytes(zlib)[..1000]);   // a truncated download

        var (code, text) = RootDiskBuild.BuildScript($"ROOTFS_OUT=\"{output}\" ROOTFS_CACHE=\"{cache}\"");
        Assert.True(code == 0, text);
        Assert.Contains("downloading zlib1g", text);
        Assert.DoesNotContain("downloading nginx", text);
        Assert.Equal(File.ReadAllBytes(Path.Combine(output, "rootfs.packages")), File.ReadAllBytes(Path.Combine(_disk.Out, "rootfs.packages")));
    }

    [Fact]
    public void An_added_configuration_that_nginx_rejects_stops_the_build_with_nginxs_own_message()
    {
        string conf = Path.Combine(_disk.Folder, "broken-nginx.conf"), output = Path.Combine(_disk.Folder, "broken");
        File.WriteAllText(conf, "events {}\nhttp { server { listen 80; no_such_directive on; } }\n");
        var (code, text) = RootDiskBuild.BuildScript($"ROOTFS_OUT=\"{output}\" ROOTFS_ADD=\"{conf}:/etc/nginx/nginx.conf\"");
        Assert.Equal(2, code);
        Assert.Contains("unknown directive \"no_such_directive\"", text);
        Assert.Contains("nginx -t failed", text);
        Assert.False(File.Exists(Path.Combine(output, "rootfs.ext3")));
    }

    [Fact]
    public void An_added_program_whose_libraries_no_staged_package_ships_stops_the_build_naming_them()
    {
        string output = Path.Combine(_disk.Folder, "foreign");
        var (code, text) = RootDiskBuild.BuildScript($"ROOTFS_OUT=\"{output}\" ROOTFS_ADD=/usr/bin/curl:/usr/bin/curl");
        Assert.Equal(2, code);
        Assert.Contains("missing libcurl.so.4 needed-by /usr/bin/curl", text);
        Assert.Contains("the tree lacks libraries", text);
        Assert.False(File.Exists(Path.Combine(output, "rootfs.ext3")));
    }

    [Theory]
    [InlineData("no-colon", "is not HOSTPATH:GUESTPATH")]
    [InlineData("/no/such/host/file:/a", "host path '/no/such/host/file' does not exist")]
    [InlineData("/bin/sh:relative/path", "guest path 'relative/path' is not absolute")]
    [InlineData("/bin/sh:/", "is not absolute (or is /)")]
    public void A_malformed_addition_is_refused_before_anything_is_built(string add, string message)
    {
        string output = Path.Combine(_disk.Folder, "malformed");
        var (code, text) = RootDiskBuild.BuildScript($"ROOTFS_OUT=\"{output}\" ROOTFS_ADD=\"{add}\"");
        Assert.Equal(2, code);
        Assert.Contains(message, text);
        Assert.DoesNotContain("building the root disk", text);
    }

    [Fact]
    public void Missing_tools_are_named_by_their_Debian_packages()
    {
        string script = Path.Combine(Repository.Root, "boot", "rootfs", "build.sh");
        var (code, text) = Repository.Run("env", $"-i PATH=/nonexistent /bin/bash \"{script}\"", TimeSpan.FromMinutes(1));
        Assert.Equal(2, code);
        Assert.Contains("missing Debian packages:", text);
        foreach (string package in new[] { "e2fsprogs", "dpkg", "apt", "binutils", "openssl" })
            Assert.Contains(package, text);
        Assert.Contains("apt-get install", text);
    }

    [Fact]
    public void A_run_attaches_a_copy_of_the_root_disk_as_virtio_blk_and_never_the_build_artefact()
    {
        // ./biscuit's own functions, with a stand-in build folder: attach_root_disk, then qemu_args.
        string build = Path.Combine(_disk.Folder, "fake-build");
        Directory.CreateDirectory(Path.Combine(build, "modules"));
        File.WriteAllText(Path.Combine(build, "modules", "manifest"), "# no servers\n");
        File.Copy(_disk.Image, Path.Combine(build, "rootfs.ext3"));
        string script = Path.Combine(Repository.Root, "biscuit");
        string program = $"set -euo pipefail; source <(sed '/^main \"\\$@\"$/d' '{script}'); BUILD='{build}'; PORT=18123; " +
                         "attach_root_disk; qemu_args 64M stdio \"$BUILD/modules/manifest\"; printf '%s\\n' \"${QEMU_ARGS[@]}\"";
        string programFile = Path.Combine(_disk.Folder, "qemu-args.sh");
        File.WriteAllText(programFile, program);
        var (code, text) = Repository.Run("bash", $"\"{programFile}\"", TimeSpan.FromMinutes(1));
        Assert.True(code == 0, text);
        string copy = Path.Combine(build, "run", "rootfs-18123.ext3");
        var args = text.Split('\n');
        int drive = Array.IndexOf(args, "-drive");
        Assert.True(drive >= 0, text);
        Assert.Equal($"file={copy},if=none,id=d0,format=raw", args[drive + 1]);
        Assert.Equal("-device", args[drive + 2]);
        Assert.Equal("virtio-blk-pci,drive=d0", args[drive + 3]);
        Assert.Equal(RootDiskBuild.HashOf(_disk.Image), RootDiskBuild.HashOf(copy));
    }
}

// Biscuit's own ext3 library, on Biscuit, over its virtio-blk driver, mounts a copy of the root
// disk read-write (the fs-server's check mode; manifest tests/manifests/fs) and lists its root.
[Collection("root disk")]
public sealed class RootDiskOnBiscuit
{
    private readonly RootDiskBuild _disk;
    public RootDiskOnBiscuit(RootDiskBuild disk) => _disk = disk;

    [Fact]
    public void Biscuits_fs_library_mounts_the_root_disk_read_write_and_lists_its_root()
    {
        string copy = Path.Combine(_disk.Folder, "boot-copy.ext3");
        File.Copy(_disk.Image, copy, overwrite: true);
        var run = QemuRun.BootSystemWith($"-drive file=\"{copy}\",if=none,id=d0,format=raw -device virtio-blk-pci,drive=d0",
            "512M", "fs", 300, "blk-server", "fs-server");
        Assert.Contains("fs: mounted; root holds bin dev etc lib lib64 lost+found proc root run sys tmp usr var", run.Serial);
    }
}
