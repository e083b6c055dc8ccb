import CLinux
import EC2NetCore

/// The command line, parsed by hand: an argument parser library would add
/// more to the binary than this whole file.
struct Invocation {
    enum Tool: String, CaseIterable {
        case plug, unplug, ifname, ifscan, status
        /// `status` is only a subcommand: it is for people and health checks, not a udev or systemd entry point.
        var programName: String { self == .status ? "ec2net status" : "ec2-" + rawValue }
    }

    var tool: Tool
    var arguments: [String] = []
    var root = "/"
    var imds: String? = nil
    var sysfs = "/sys"
    var mac: String? = nil
    var config: String? = nil
    var altNames = true
    var verbose = false
    var deviceNumberTimeout: Double? = nil
    var refresh = false
    var setHostname = false
    var checkDefaultRoute = false
    var hostnameOnly = false
    var json = false
    var noIMDS = false
    var help = false
    var version = false

    static let version = "0.1.0"

    /// argv[0]'s base name picks the tool (`ec2-plug`); `ec2net plug ...` works too.
    init(argv: [String], environment: (String) -> String?) throws(UsageError) {
        var args = Array(argv.dropFirst())
        let base = argv.first.map { $0.split(separator: "/").last.map(String.init) ?? $0 } ?? "ec2net"
        if let t = Tool.allCases.first(where: { $0.programName == base }) {
            tool = t
        } else if let first = args.first, let t = Tool(rawValue: first) {
            tool = t
            args.removeFirst()
        } else if args.contains("--version") {
            tool = .plug
        } else {
            throw UsageError(description: "usage: ec2net {plug|unplug|ifname|ifscan|status} [options], or run as ec2-plug, ec2-unplug, ec2-ifname, ec2-ifscan")
        }
        root = environment("EC2NET_ROOT") ?? "/"
        imds = environment("AWS_EC2_METADATA_SERVICE_ENDPOINT")
        sysfs = environment("EC2NET_SYSFS") ?? "/sys"
        config = environment("EC2NET_CONFIG")
        var i = 0
        func value(_ flag: String) throws(UsageError) -> String {
            i += 1
            guard i < args.count else { throw UsageError(description: "\(flag) needs a value") }
            return args[i]
        }
        while i < args.count {
            let a = args[i]
            switch a {
            case "--root": root = try value(a)
            case "--imds": imds = try value(a)
            case "--sysfs": sysfs = try value(a)
            case "--mac": mac = try value(a)
            case "--config": config = try value(a)
            case "--no-altnames": altNames = false
            case "-v", "--verbose": verbose = true
            case "--device-number-timeout":
                let v = try value(a)
                guard let d = Double(v), d >= 0, d <= RunDeadline.maxDeviceNumberTimeout else {
                    throw UsageError(description: "--device-number-timeout takes seconds, 0 to 50 (a udev run ends within 60 s)")
                }
                deviceNumberTimeout = d
            case "--boot": refresh = false
            case "--refresh": refresh = true
            case "--set-hostname": setHostname = true
            case "--check-default-route": checkDefaultRoute = true
            case "--hostname-only" where tool == .ifscan: hostnameOnly = true
            case "--json" where tool == .status: json = true
            case "--no-imds" where tool == .status: noIMDS = true
            case "-h", "--help": help = true
            case "--version": version = true
            default:
                if a.hasPrefix("-") { throw UsageError(description: "unknown option \(Printable.quote(a))") }
                arguments.append(a)
            }
            i += 1
        }
    }

    var usage: String {
        switch tool {
        case .plug: return """
            usage: ec2-plug [options] IFACE
            Writes the systemd-networkd config for one ENI from IMDS, reloads networkd once, returns.
            Run by udev on add. IFACE defaults to $INTERFACE.
            """ + Invocation.commonHelp
        case .unplug: return """
            usage: ec2-unplug [options] IFACE
            Removes the config ec2net generated for IFACE (and for its MAC under older names), reloads once.
            Run by udev on remove.
            """ + Invocation.commonHelp
        case .ifname: return """
            usage: ec2-ifname [options] [IFACE]
            Prints udev properties EC2_IFNAME, EC2_DEVICE_NUMBER, EC2_NETWORK_CARD, EC2_ENI_ID for a new ENI.
            Run by udev IMPORT{program}. Prints no name when it cannot decide.
            """ + Invocation.commonHelp
        case .ifscan: return """
            usage: ec2-ifscan [options] [--boot|--refresh] [--set-hostname] [--check-default-route]
                   ec2-ifscan [options] --hostname-only
            Configures every ENI that lacks config, refreshes configured ones, removes config of gone ones.
            --hostname-only sets the hostname from IMDS (when /etc/hostname sets none) and does nothing else.
            """ + Invocation.commonHelp
        case .status: return """
            usage: ec2net status [options] [--json] [--no-imds] [IFACE...]
            Compares what each ENI should have (IMDS, configuration, generated files) with what the
            kernel has (rules, routes, addresses), and says why an ENI is not managed. Read-only.
              --json      the report as JSON (schema in ec2net-status(8))
              --no-imds   do not read IMDS: compare the kernel with the generated files only
            exit codes: 0 every managed ENI matches, 1 drift, 64 usage, 69 no such IFACE, 71 rtnetlink unreadable,
              75 IMDS unreachable, 76 IMDS protocol error, 77 IMDS forbidden, 78 configuration
            """ + Invocation.commonHelp
        }
    }

    static let commonHelp = """

        options:
          --root DIR                 prefix for every file path (EC2NET_ROOT)
          --imds URL                 IMDS endpoint (AWS_EC2_METADATA_SERVICE_ENDPOINT)
          --sysfs DIR                sysfs mount (EC2NET_SYSFS), default /sys
          --mac MAC                  the interface's MAC instead of reading sysfs
          --config FILE              configuration file (EC2NET_CONFIG), default /etc/ec2net/ec2net.conf
          --no-altnames              do not add altnames over rtnetlink
          --device-number-timeout S  seconds to wait for a hot-plugged ENI's device-number
          -v, --verbose              copy log lines to stderr
          --help, --version
        exit codes: 0 done, 64 usage, 65 bad metadata, 69 not ours, 73 cannot write,
          70 internal error, 75 IMDS unreachable (retry later), 76 IMDS protocol error, 77 IMDS forbidden,
          78 configuration
        """
}
