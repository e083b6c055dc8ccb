import XCTest
@testable import EC2NetCore

/// NamingPolicy.decide: the name and the udev properties ec2-ifname prints,
/// for every source of truth, collisions, multi-card and the fallback.
final class NamingPolicyTests: XCTestCase {
    let mac = try! MACAddress(parsing: "02:ab:cd:00:00:01")
    let eni = try! InterfaceID(parsing: "eni-0123456789abcdef0")

    func known(card: Int = 0, device: Int, eni: InterfaceID? = nil) throws -> NamingPolicy.Known {
        NamingPolicy.Known(index: try DeviceIndex(card: card, device: device), interfaceID: eni)
    }

    func decide(_ mode: Configuration.NamingMode = .deviceIndex, kernel: String = "eth7",
                known: NamingPolicy.Known?, secondary: Bool = false,
                taken: Set<String> = []) -> NamingPolicy.Decision {
        NamingPolicy.decide(mode: mode, kernelName: kernel, mac: mac, known: known,
                            knownSecondary: secondary, isTaken: { taken.contains($0) })
    }

    func props(_ d: NamingPolicy.Decision) -> [String] { d.properties.map { "\($0.0)=\($0.1)" } }

    // MARK: known slot (from the map or IMDS: the policy does not care which)

    func testPrimaryIsEth0() throws {
        let d = decide(kernel: "eth1", known: try known(device: 0, eni: eni))
        XCTAssertEqual(d.name, "eth0")
        XCTAssertEqual(props(d), ["EC2_DEVICE_NUMBER=0", "EC2_NETWORK_CARD=0", "EC2_ENI_ID=eni-0123456789abcdef0"])
        XCTAssertEqual(d.reason, "device-number 0, network-card 0")
    }

    func testKnownSlotOnCardZeroIsEthN() throws {
        XCTAssertEqual(decide(known: try known(device: 1)).name, "eth1")
        XCTAssertEqual(decide(known: try known(device: 3)).name, "eth3")
        XCTAssertEqual(decide(known: try known(device: 99)).name, "eth99")
    }

    func testWithoutENIIDNoENIProperty() throws {
        let d = decide(known: try known(device: 2))
        XCTAssertEqual(props(d), ["EC2_DEVICE_NUMBER=2", "EC2_NETWORK_CARD=0"])
    }

    func testCardOneIsEth100AndUp() throws {
        let d0 = decide(known: try known(card: 1, device: 0))
        XCTAssertEqual(d0.name, "eth100")
        XCTAssertEqual(props(d0), ["EC2_DEVICE_NUMBER=0", "EC2_NETWORK_CARD=1"])
        XCTAssertEqual(decide(known: try known(card: 1, device: 1)).name, "eth101")
        XCTAssertEqual(decide(known: try known(card: 2, device: 5)).name, "eth205")
        XCTAssertEqual(decide(known: try known(card: 31, device: 99)).name, "eth3199")
    }

    func testTargetNamesNeverCollideAcrossCards() throws {
        var seen: [String: DeviceIndex] = [:]
        for card in DeviceIndex.cardRange {
            for device in DeviceIndex.deviceRange {
                let index = try DeviceIndex(card: card, device: device)
                let name = NamingPolicy.targetName(for: index)
                XCTAssertNil(seen[name], "\(name) for \(index) and \(seen[name].map { "\($0)" } ?? "")")
                XCTAssertLessThanOrEqual(name.utf8.count, 15, "IFNAMSIZ")
                seen[name] = index
            }
        }
    }

    // MARK: modes

    func testKeepExportsPropertiesButNoName() throws {
        let d = decide(.keep, kernel: "ens5", known: try known(device: 1, eni: eni))
        XCTAssertNil(d.name)
        XCTAssertEqual(props(d), ["EC2_DEVICE_NUMBER=1", "EC2_NETWORK_CARD=0", "EC2_ENI_ID=eni-0123456789abcdef0"])
        XCTAssertEqual(d.render(), "EC2_DEVICE_NUMBER=1\nEC2_NETWORK_CARD=0\nEC2_ENI_ID=eni-0123456789abcdef0\n")
    }

    func testKeepNeverRenamesEvenASecondaryOnEth0() {
        let d = decide(.keep, kernel: "eth0", known: nil, secondary: true, taken: ["eth0"])
        XCTAssertNil(d.name)
        XCTAssertEqual(d.render(), "")
    }

    func testOffPrintsNothing() throws {
        let d = decide(.off, kernel: "eth1", known: try known(device: 0, eni: eni))
        XCTAssertNil(d.name)
        XCTAssertTrue(d.properties.isEmpty)
        XCTAssertEqual(d.render(), "")
        XCTAssertEqual(decide(.off, kernel: "eth0", known: nil, secondary: true).render(), "")
    }

    // MARK: collisions

    func testTargetTakenGivesTemporaryName() throws {
        // The field case: the primary came up as eth1 while device 1 holds eth0.
        let d = decide(kernel: "eth1", known: try known(device: 0), taken: ["eth0", "eth1"])
        XCTAssertEqual(d.name, "tmp02abcd000001")
        XCTAssertEqual(d.name, NamingPolicy.temporaryName(for: mac))
        XCTAssertTrue(d.reason.contains("eth0"), d.reason)
        XCTAssertEqual(props(d), ["EC2_DEVICE_NUMBER=0", "EC2_NETWORK_CARD=0"])
    }

    func testTargetEqualToKernelNameIsKeptEvenThoughTaken() throws {
        // The interface itself holds its target: isTaken says yes, but it is ours.
        let d = decide(kernel: "eth1", known: try known(device: 1), taken: ["eth1"])
        XCTAssertEqual(d.name, "eth1")
    }

    func testTargetFreeIsUsed() throws {
        let d = decide(kernel: "tmp02abcd000001", known: try known(device: 0), taken: ["tmp02abcd000001", "eth1"])
        XCTAssertEqual(d.name, "eth0")
    }

    func testCardOneCollision() throws {
        let d = decide(kernel: "eth3", known: try known(card: 1, device: 1), taken: ["eth101"])
        XCTAssertEqual(d.name, "tmp02abcd000001")
    }

    func testTemporaryNames() {
        let t = NamingPolicy.temporaryName(for: mac)
        XCTAssertEqual(t, "tmp02abcd000001")
        XCTAssertEqual(t.utf8.count, 15, "fits IFNAMSIZ")
        XCTAssertTrue(NamingPolicy.isTemporaryName(t))
        XCTAssertFalse(NamingPolicy.isTemporaryName("eth0"))
        XCTAssertFalse(NamingPolicy.isTemporaryName("tmp0"))
        XCTAssertFalse(NamingPolicy.isTemporaryName("ens5"))
    }

    // MARK: fallback (slot unknown: neither map nor IMDS answered)

    func testSecondaryOnEth0WithUnknownSlotMovesAway() {
        let d = decide(kernel: "eth0", known: nil, secondary: true, taken: ["eth0"])
        XCTAssertEqual(d.name, "tmp02abcd000001")
        XCTAssertTrue(d.properties.isEmpty)
        XCTAssertEqual(d.render(), "EC2_IFNAME=tmp02abcd000001\n")
    }

    func testUnknownSlotKeepsKernelName() {
        XCTAssertNil(decide(kernel: "eth0", known: nil, secondary: false).name)
        XCTAssertNil(decide(kernel: "eth1", known: nil, secondary: false).name)
        // A known secondary not on eth0 cannot steal the primary's name: keep it.
        XCTAssertNil(decide(kernel: "eth2", known: nil, secondary: true).name)
        XCTAssertEqual(decide(kernel: "eth1", known: nil).render(), "")
    }

    // MARK: render

    func testRenderPutsTheNameFirst() throws {
        let d = decide(kernel: "eth0", known: try known(card: 1, device: 1, eni: eni))
        XCTAssertEqual(d.render(), """
            EC2_IFNAME=eth101
            EC2_DEVICE_NUMBER=1
            EC2_NETWORK_CARD=1
            EC2_ENI_ID=eni-0123456789abcdef0

            """)
        for line in d.render().split(separator: "\n") {
            XCTAssertEqual(line.split(separator: "=").count, 2, "KEY=value: \(line)")
        }
    }
}
