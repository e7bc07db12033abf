// The host's own resolver, reached through `getaddrinfo(3)` so that the probe sees exactly what
// every other program on the host or in the container sees: /etc/hosts, nsswitch, resolv.conf.
// `getaddrinfo` cannot be cancelled and can block for as long as resolv.conf's timeouts and
// attempts add up to, so it runs on its own thread and the probe stops waiting at the deadline.

import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Resolves names with `getaddrinfo`, asking for every TCP address (A and AAAA).
public struct SystemResolver: HostResolver {
  /// The blocking lookup run on the helper thread; `getAddresses` except in tests of the
  /// deadline.
  let blockingLookup: @Sendable (String, Int) -> Lookup

  /// The resolver every other program on the host uses.
  public init() {
    blockingLookup = Self.getAddresses
  }

  /// What one `getaddrinfo` call gives.
  typealias Lookup = Result<[ResolvedAddress], ResolverError>

  init(blockingLookup: @escaping @Sendable (String, Int) -> Lookup) {
    self.blockingLookup = blockingLookup
  }

  /// Top-level domains that RFC 6761 reserves as never existing. Resolver libraries are asked
  /// to answer them negatively without sending a query, which glibc does not do; doing it here
  /// keeps such a probe off the network and gives the same answer everywhere.
  static let reservedDomains = ["invalid"]

  /// Asks `getaddrinfo` on a thread of its own and stops waiting at `deadline`.
  public func lookUp(host: String, port: Int, deadline: Deadline) throws -> [ResolvedAddress] {
    let name = host.hasSuffix(".") ? String(host.dropLast()) : host
    let lastLabel = name.split(separator: ".").last.map { $0.lowercased() } ?? ""
    if Self.reservedDomains.contains(lastLabel) {
      throw ResolverError.reservedName(domain: lastLabel)
    }

    let lookup = PendingLookup()
    let blockingLookup = self.blockingLookup
    let thread = Thread {
      lookup.finish(blockingLookup(host, port))
    }
    thread.stackSize = 1 << 20
    thread.start()
    // A lookup that is still running at the deadline is left to finish on its own thread; its
    // answer is dropped. The thread ends with the lookup, or with the process.
    guard let outcome = lookup.wait(until: deadline) else {
      throw ResolverError.noAnswer(seconds: max(0, deadline.instant - lookup.startedAt))
    }
    return try outcome.get()
  }

  /// Calls `getaddrinfo` and collects the distinct addresses in the order it gave them.
  @Sendable
  static func getAddresses(_ host: String, _ port: Int) -> Lookup {
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    hints.ai_protocol = Int32(IPPROTO_TCP)
    var list: UnsafeMutablePointer<addrinfo>?
    let code = getaddrinfo(host, String(port), &hints, &list)
    let systemErrno = errno
    defer { if let list { freeaddrinfo(list) } }
    guard code == 0 else {
      return .failure(.lookupFailed(code: code, systemErrno: systemErrno))
    }

    var addresses: [ResolvedAddress] = []
    var entry = list
    while let current = entry {
      if let socketAddress = current.pointee.ai_addr,
        let address = ResolvedAddress(UnsafePointer(socketAddress)),
        !addresses.contains(address)
      {
        addresses.append(address)
      }
      entry = current.pointee.ai_next
    }
    return addresses.isEmpty ? .failure(.noUsableAddress) : .success(addresses)
  }
}

/// The meeting point of the lookup thread and the prober, which may have stopped waiting.
private final class PendingLookup: @unchecked Sendable {
  private let condition = NSCondition()
  private var outcome: SystemResolver.Lookup?
  let startedAt = Deadline.now()

  func finish(_ result: SystemResolver.Lookup) {
    condition.lock()
    outcome = result
    condition.broadcast()
    condition.unlock()
  }

  /// The outcome, or `nil` when the deadline passed first.
  func wait(until deadline: Deadline) -> SystemResolver.Lookup? {
    condition.lock()
    defer { condition.unlock() }
    while outcome == nil {
      let left = deadline.remaining
      if left == 0 { return nil }
      _ = condition.wait(until: Date(timeIntervalSinceNow: left))
    }
    return outcome
  }
}
