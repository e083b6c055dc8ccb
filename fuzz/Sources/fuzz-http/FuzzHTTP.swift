import EC2NetCore
import EC2NetSystem
import FuzzSupport

// HTTPResponseParser against bytes arriving in 1..8 reads, then EOF.
// Input: [limit byte][piece count][cut positions...][response bytes].
// Properties: no trap; a complete response respects the body limit; the
// outcome does not depend on how the bytes were cut into reads (the same
// bytes fed in one read give the same response or the same failure); and
// a failure part-way is final (the whole input in one read fails too).

enum Outcome: Equatable {
    case response(HTTPResponse)
    case failure
}

/// Feeds the pieces; stops at the first response. Returns the outcome and
/// the bytes actually consumed.
func run(_ pieces: [[UInt8]], limit: Int) -> (Outcome, [UInt8]) {
    var parser = HTTPResponseParser(bodyLimit: limit)
    var consumed: [UInt8] = []
    for piece in pieces {
        consumed += piece
        do {
            if let r = try parser.feed(piece) { return (.response(r), consumed) }
        } catch {
            return (.failure, consumed)
        }
    }
    do { return (.response(try parser.finish()), consumed) } catch { return (.failure, consumed) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let l = input.byte()
    let limit = l & 1 == 0 ? 64 * 1024 : Int(l >> 1) * 8
    let pieces = input.splitRest(maxPieces: 8)

    let (split, consumed) = run(pieces, limit: limit)
    if case .response(let r) = split {
        Fuzz.check(r.body.count <= limit, "http-body-limit", "body of \(r.body.count) bytes over the limit \(limit)")
        Fuzz.check((100...999).contains(r.status), "http-status", "status \(r.status)")
    }
    if pieces.count > 1 {
        let (whole, _) = run([consumed], limit: limit)
        Fuzz.check(whole == split, "http-split-invariance",
                   "\(pieces.count) reads (sizes \(pieces.map(\.count))) gave \(split), one read gave \(whole); bytes \(Fuzz.show(consumed))")
        // A failure before the last read must be final: no continuation of
        // those bytes may make a response the parser accepts in one read.
        let all = pieces.flatMap { $0 }
        if split == .failure, consumed.count < all.count {
            let (full, _) = run([all], limit: limit)
            Fuzz.check(full == .failure, "http-early-failure",
                       "failed after \(consumed.count) of \(all.count) bytes, yet one read of all of them gives a response: \(Fuzz.show(all))")
        }
    }
    return 0
}
