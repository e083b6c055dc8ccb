import XCTest
@testable import EC2NetCore

/// UdevDatabaseRecord over records systemd-udevd 252 wrote: `capturedEth0`
/// is /run/udev/data/n<ifindex> of eth0 in the e2e simulated instance
/// (Tests/e2e/test_udev_initialized.py prints it; device-index naming, so ec2-ifname's
/// EC2_* properties are there). The `S:`/`G:`/`Q:`/`L:` lines of
/// `withLinksAndTags` follow systemd's device_update_db() (src/libsystemd/
/// sd-device/device-private.c), which writes them for devices with /dev
/// links and tags; a network interface in the simulation has none.
final class UdevDatabaseRecordTests: XCTestCase {
    let capturedEth0 = """
        I:13677521822
        E:ID_NET_DRIVER=veth
        E:ID_NET_LINK_FILE=/usr/lib/systemd/network/99-default.link
        E:ID_NET_NAME=eth0
        E:EC2_IFNAME=eth0
        E:EC2_DEVICE_NUMBER=0
        E:EC2_NETWORK_CARD=0
        E:EC2_ENI_ID=eni-0000000000000a010
        V:1

        """

    func testTheCapturedRecord() {
        let r = UdevDatabaseRecord(parsing: capturedEth0)
        XCTAssertEqual(r.initializedMicroseconds, 13677521822)
        XCTAssertEqual(r["ID_NET_DRIVER"], "veth")
        XCTAssertEqual(r["EC2_IFNAME"], "eth0")
        XCTAssertEqual(r["EC2_ENI_ID"], "eni-0000000000000a010")
        XCTAssertEqual(r.properties.map(\.key), ["ID_NET_DRIVER", "ID_NET_LINK_FILE", "ID_NET_NAME", "EC2_IFNAME",
                                                 "EC2_DEVICE_NUMBER", "EC2_NETWORK_CARD", "EC2_ENI_ID"])
        XCTAssertEqual(r.otherLines, ["V:1"])
        XCTAssertEqual(r.tags, [])
        XCTAssertNil(r["ID_PATH"])
        XCTAssertEqual(UdevDatabaseRecord(parsing: r.text), r)
    }

    func testLinksTagsAndOtherKeys() {
        let r = UdevDatabaseRecord(parsing: "S:disk/by-id/x\nL:10\nI:5\nE:A=b=c\nG:systemd\nQ:systemd\nV:1\n")
        XCTAssertEqual(r.links, ["disk/by-id/x"])
        XCTAssertEqual(r.tags, ["systemd"])
        XCTAssertEqual(r.currentTags, ["systemd"])
        XCTAssertEqual(r.otherLines, ["L:10", "V:1"])
        XCTAssertEqual(r["A"], "b=c", "the value runs from the first =")
        XCTAssertEqual(UdevDatabaseRecord(parsing: r.text), r)
    }

    /// sd-device ignores lines it cannot handle; so does the parser.
    func testMalformedLinesAreIgnored() {
        let r = UdevDatabaseRecord(parsing: "E:NOEQUALS\nE:=novalue\nX\nEE:A=1\n\n:\nI:notanumber\nE:K=\n")
        XCTAssertEqual(r.properties.map(\.key), ["K"])
        XCTAssertEqual(r["K"], "")
        XCTAssertNil(r.initializedMicroseconds)
        XCTAssertEqual(UdevDatabaseRecord(parsing: r.text), r)
    }

    /// A later line of the same key wins, as sd-device's property map does.
    func testTheLastLineOfAKeyWins() {
        let r = UdevDatabaseRecord(parsing: "E:A=1\nE:A=2\n")
        XCTAssertEqual(r["A"], "2")
        XCTAssertEqual(r.propertyMap, ["A": "2"])
    }

    /// Lines end at the LF byte, whatever precedes it ("\r\n" is one
    /// Character in Swift), and bytes that are not UTF-8 do not shift keys.
    func testLinesAreBytes() {
        let r = UdevDatabaseRecord(parsing: "E:A=1\r\nE:B=2\n")
        XCTAssertEqual(r["A"], "1\r")
        XCTAssertEqual(r["B"], "2")
        let bytes = UdevDatabaseRecord(bytes: [0xC3, 0x3A, 0x41, 0x0A] + Array("E:C=\u{301}\n".utf8))
        XCTAssertEqual(bytes.otherLines, [])
        XCTAssertEqual(bytes["C"], "\u{301}")
    }
}
