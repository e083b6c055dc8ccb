import CLinux
import EC2NetCore
import EC2NetSystem

// match-oracle NAME IFACE...
//
// The product's verdict on the admin file /etc/systemd/network/NAME (with
// its drop-ins, as AdminNetworkFiles merges them) for each link, the link
// read by the product's KernelLinkIdentityReader in this process's
// namespaces. One line per link: `IFACE selects=0|1 claims=0|1`.
// Exit 2 on usage, 1 when something could not be read.

let args = CommandLine.arguments
guard args.count >= 3 else {
    print("usage: match-oracle NAME IFACE...")
    exit(2)
}
let paths = Paths(root: "")
let reader = KernelLinkIdentityReader.forHost(sysfs: Sysfs(root: "/sys"), paths: paths)
do {
    let match = try AdminNetworkFiles(paths: paths).match(of: args[1])
    for name in args[2...] {
        guard let link = try reader.identity(of: name) else {
            print("match-oracle: no link \(name)")
            exit(1)
        }
        let selects = match?.selects(link) ?? false
        let claims = match?.claims(link) ?? false
        print("\(name) selects=\(selects ? 1 : 0) claims=\(claims ? 1 : 0)")
    }
} catch {
    print("match-oracle: \(error)")
    exit(1)
}
