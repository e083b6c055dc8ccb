import XCTest
@testable import EC2NetCore
@testable import EC2NetSystem

/// The poll loop on its own, over a scripted look (no MetadataReader, no
/// IMDS): the hot-plug propagation it models is MetadataReaderTests' (a
/// secondary ENI's device-number reads 0 until its attachment propagates,
/// AWS "Instance metadata categories", network/interfaces/macs/mac/device-number).
final class PropagationWaitTests: XCTestCase {
    let first = try! MACAddress(parsing: "02:00:00:00:00:02")
    let second = try! MACAddress(parsing: "02:00:00:00:00:03")

    func metadata(_ mac: MACAddress, device: Int) -> InterfaceMetadata {
        InterfaceMetadata(mac: mac, isPrimary: false, index: try! DeviceIndex(card: 0, device: device))
    }

    /// Each MAC is handed out once, as soon as its look is ready; the
    /// other keeps being polled, and the keys asked for reach the look.
    func testPollsEachMACUntilReadyAndHandsItOutOnce() {
        let clock = FakeClock()
        var looks: [MACAddress: Int] = [:]
        var keysSeen: Set<[MetadataKey]> = []
        let wait = PropagationWait(clock: clock, deadline: nil) { mac, keys throws(MetadataReadError) in
            looks[mac, default: 0] += 1
            keysSeen.insert(keys)
            let readyAfter = mac == self.first ? 1 : 3
            return looks[mac]! >= readyAfter ? .ready(self.metadata(mac, device: readyAfter)) : .pending(.key(.deviceNumber))
        }
        var handed: [MACAddress] = []
        wait.wait(for: [first, second], timeout: 10, keys: [.interfaceID]) { mac, result in
            guard case .ready = result else { XCTFail("\(mac): not ready"); return true }
            handed.append(mac)
            return true
        }
        XCTAssertEqual(handed, [first, second])
        XCTAssertEqual(looks, [first: 1, second: 3])
        XCTAssertEqual(keysSeen, [[.interfaceID]])
        XCTAssertEqual(clock.sleeps, [PropagationWait.pollInterval, PropagationWait.pollInterval])
    }

    /// The run's deadline ends the wait before its own timeout; a look that
    /// throws is that MAC's failure, and returning false stops the rest.
    func testDeadlineAndFailureAndStop() {
        let clock = FakeClock()
        let pending = PropagationWait(clock: clock, deadline: RunDeadline(start: clock.now(), budget: 0.2)) { _, _ throws(MetadataReadError) in
            .pending(.key(.deviceNumber))
        }
        var outcome: PropagationWait.Result? = nil
        pending.wait(for: [first], timeout: 20) { _, r in outcome = r; return true }
        guard case .notPropagated(let what, _)? = outcome else { return XCTFail("\(String(describing: outcome))") }
        XCTAssertEqual(what, "device-number")
        XCTAssertEqual(clock.slept, 0.2, accuracy: 1e-6)

        let failing = PropagationWait(clock: FakeClock(), deadline: nil) { _, _ throws(MetadataReadError) in
            throw .imds(.forbidden(path: "network/interfaces/macs/"))
        }
        var calls = 0
        failing.wait(for: [first, second], timeout: 1) { _, r in
            calls += 1
            guard case .failed(.imds(.forbidden)) = r else { XCTFail("\(r)"); return true }
            return false
        }
        XCTAssertEqual(calls, 1, "false from handle stops the wait for the others")
    }
}
