import EC2NetCore

/// Takes validated snapshots of ENIs from a MetadataSource.
///
/// Upstream sleeps for keys that never come: 8 x 0.5 s for `network-card`
/// on single-card types, where IMDS never has it. This reader asks instead:
/// the ENI's own directory listing says which keys exist, and the primary
/// ENI's listing says whether this instance type publishes `network-card`
/// at all. It waits only for what can really still propagate (a hot-plugged
/// ENI's device-number, which reads 0 until then), polling every 50 ms.
public final class MetadataReader {
    private let source: MetadataSource
    private let clock: MonotonicClock
    private var cachedPrimaryMAC: MACAddress? = nil
    private var cachedPublishesCard: Bool? = nil
    /// The run's deadline (issue 21), for the waits built on this reader.
    public let deadline: RunDeadline?

    public init(source: MetadataSource, clock: MonotonicClock, deadline: RunDeadline? = nil) {
        self.source = source
        self.clock = clock
        self.deadline = deadline
    }

    /// The primary ENI's MAC (`meta-data/mac`): static from launch.
    public func primaryMAC() throws(MetadataReadError) -> MACAddress {
        if let m = cachedPrimaryMAC { return m }
        guard let body = try fetch("mac") else { throw .invalid(.missing(key: "mac")) }
        do {
            let m = try MACAddress(parsing: MetadataValues.lines(body).first ?? "")
            cachedPrimaryMAC = m
            return m
        } catch {
            throw .invalid(.invalidValue(key: "mac", error))
        }
    }

    /// MACs IMDS lists under network/interfaces/macs/.
    public func attachedMACs() throws(MetadataReadError) -> [MACAddress] {
        guard let body = try fetch("network/interfaces/macs/") else { return [] }
        var out: [MACAddress] = []
        for entry in MetadataValues.listing(body) {
            do { out.append(try MACAddress(parsing: entry)) } catch { throw .invalid(.invalidValue(key: "network/interfaces/macs/", error)) }
        }
        return out
    }

    public func value(_ path: String) throws(MetadataReadError) -> String? { try fetch(path) }

    /// Waits (PropagationWait) until IMDS has the ENI, or the deadline passes.
    /// - Parameter keys: the addressing keys to read; naming needs only the ENI id.
    public func read(mac: MACAddress, timeout: Double,
                     keys: [MetadataKey] = MetadataKey.addressing) throws(MetadataReadError) -> InterfaceMetadata {
        var result: PropagationWait.Result = .notPropagated(what: PendingMetadata.mac.description, waited: 0)
        PropagationWait(reader: self, clock: clock).wait(for: [mac], timeout: timeout, keys: keys) { _, r in
            result = r
            return true
        }
        switch result {
        case .ready(let m): return m
        case .failed(let e): throw e
        case .notPropagated(let what, let waited): throw .notPropagated(mac, what: what, waited: waited)
        case .gone: throw .notPropagated(mac, what: "the MAC", waited: 0)  // no presence check here: unreachable
        }
    }

    /// Closes the IMDS connection (before a reload, which may take a while).
    public func closeConnection() { source.close() }

    /// One look at an ENI, without waiting: `.pending` when IMDS does not
    /// know the MAC yet or still reports device-number 0 for a non-primary ENI.
    public func attempt(mac: MACAddress, keys wanted: [MetadataKey] = MetadataKey.addressing) throws(MetadataReadError) -> PropagationWait.Attempt {
        let primary = try primaryMAC()
        let isPrimary = mac == primary
        let base = "network/interfaces/macs/\(mac)/"
        guard let listingBody = try fetch(base) else { return .pending(.mac) }
        let keys = Set(MetadataValues.listing(listingBody))

        var card = 0
        if keys.contains(MetadataKey.networkCard.rawValue) {
            guard let body = try fetchListed(base, .networkCard) else { return .pending(.listedButMissing(.networkCard)) }
            card = try integer(body, .networkCard, DeviceIndex.cardRange)
        } else if !isPrimary, try instancePublishesNetworkCard(primary: primary) {
            return .pending(.key(.networkCard))
        }

        var device = 0
        if !isPrimary {
            guard let body = try fetchListed(base, .deviceNumber) else { return .pending(.key(.deviceNumber)) }
            device = try integer(body, .deviceNumber, DeviceIndex.deviceRange)
            // IMDS reports 0 until a hot-plugged attachment propagates; 0 on
            // card 0 belongs to the primary ENI only.
            if device == 0 && card == 0 { return .pending(.key(.deviceNumber)) }
        }

        // Absent means not listed. A key the listing advertises that then
        // answers 404 or an empty body is IMDS not yet consistent (seen on
        // EC2 right after a change of the ENI's addresses; issue 21), never
        // "no addresses", which would remove the ENI's config: waited for
        // like a propagation, then "try later" with the config kept.
        var bodies: [MetadataKey: String] = [:]
        for key in wanted where keys.contains(key.rawValue) {
            guard let body = try fetchListed(base, key) else { return .pending(.listedButMissing(key)) }
            bodies[key] = body
        }
        let index: DeviceIndex
        do throws(AddressError) {
            index = try DeviceIndex(card: card, device: device)
        } catch {
            throw .invalid(.invalidValue(key: "device-number", error))
        }
        do throws(MetadataError) {
            return .ready(try InterfaceMetadata(mac: mac, isPrimary: isPrimary, index: index, bodies: bodies))
        } catch {
            throw .invalid(error)
        }
    }

    /// Whether this instance type has `network-card` at all, judged by the
    /// primary ENI, which has every key from launch.
    private func instancePublishesNetworkCard(primary: MACAddress) throws(MetadataReadError) -> Bool {
        if let v = cachedPublishesCard { return v }
        guard let body = try fetch("network/interfaces/macs/\(primary)/") else {
            throw .invalid(.missing(key: "network/interfaces/macs/\(primary)/"))
        }
        let v = MetadataValues.listing(body).contains(MetadataKey.networkCard.rawValue)
        cachedPublishesCard = v
        return v
    }

    private func integer(_ body: String, _ key: MetadataKey, _ range: ClosedRange<Int>) throws(MetadataReadError) -> Int {
        do { return try MetadataValues.integer(body, key: key, in: range) } catch { throw .invalid(error) }
    }

    /// A key the ENI's listing advertises: nil when IMDS answers 404 or an
    /// empty body for it (inconsistent with its own listing).
    private func fetchListed(_ base: String, _ key: MetadataKey) throws(MetadataReadError) -> String? {
        guard let body = try fetch(base + key.rawValue), !MetadataValues.lines(body).isEmpty else { return nil }
        return body
    }

    private func fetch(_ path: String) throws(MetadataReadError) -> String? {
        do { return try source.get(path) } catch { throw .imds(error) }
    }
}

extension PropagationWait {
    /// The wait over `reader`'s looks, bounded by the reader's run deadline.
    public init(reader: MetadataReader, clock: MonotonicClock) {
        self.init(clock: clock, deadline: reader.deadline) { mac, keys throws(MetadataReadError) in
            try reader.attempt(mac: mac, keys: keys)
        }
    }
}
