// One IPv4 or IPv6 address and port that a host name resolved to, kept as text so that results
// can be printed and compared, and turned into a `sockaddr` only at the moment of connecting.

#if canImport(Glibc)
  import Glibc
#endif

/// An address to connect to: an IP address in text form and a TCP port.
public struct ResolvedAddress: Equatable, Hashable, Sendable {
  /// The address family, as named in the output.
  public enum Family: String, Sendable {
    case ipv4
    case ipv6
  }

  /// IPv4 or IPv6.
  public let family: Family
  /// The address as `inet_ntop` writes it: `127.0.0.1`, `::1`.
  public let ip: String
  /// The TCP port.
  public let port: Int
  /// The interface of a link-local IPv6 address (`fe80::1%eth0`); 0 for every other address.
  let scopeID: UInt32

  /// Reads `ip` as an IPv4 or IPv6 address; `nil` when it is neither.
  public init?(ip: String, port: Int) {
    var v4 = in_addr()
    var v6 = in6_addr()
    if inet_pton(AF_INET, ip, &v4) == 1 {
      family = .ipv4
    } else if inet_pton(AF_INET6, ip, &v6) == 1 {
      family = .ipv6
    } else {
      return nil
    }
    self.ip = ip
    self.port = port
    scopeID = 0
  }

  /// Reads the address out of a `sockaddr` that `getaddrinfo` returned.
  init?(_ socketAddress: UnsafePointer<sockaddr>) {
    var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
    var scope: UInt32 = 0
    var number: UInt16 = 0
    switch Int32(socketAddress.pointee.sa_family) {
    case AF_INET:
      let written = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
        var address = $0.pointee.sin_addr
        number = UInt16(bigEndian: $0.pointee.sin_port)
        return inet_ntop(AF_INET, &address, &text, socklen_t(text.count))
      }
      guard written != nil else { return nil }
      family = .ipv4
    case AF_INET6:
      let written = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
        var address = $0.pointee.sin6_addr
        number = UInt16(bigEndian: $0.pointee.sin6_port)
        scope = $0.pointee.sin6_scope_id
        return inet_ntop(AF_INET6, &address, &text, socklen_t(text.count))
      }
      guard written != nil else { return nil }
      family = .ipv6
    default:
      return nil
    }
    scopeID = scope
    port = Int(number)
    ip = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// `127.0.0.1:8429` or `[::1]:8429`, the way URLs and most tools write an address with a port.
  public var endpoint: String {
    family == .ipv6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
  }

  /// Whether it is a loopback address (127.0.0.0/8 or ::1), which never leaves the host.
  public var isLoopback: Bool {
    family == .ipv4 ? ip.hasPrefix("127.") : ip == "::1"
  }

  /// The `AF_*` constant of the family, for `socket(2)`.
  var addressFamily: Int32 {
    family == .ipv6 ? AF_INET6 : AF_INET
  }

  /// Calls `body` with this address as a `sockaddr` of the right size.
  func withSocketAddress<Result>(
    _ body: (UnsafePointer<sockaddr>, socklen_t) -> Result
  ) -> Result {
    switch family {
    case .ipv4:
      var address = sockaddr_in()
      address.sin_family = sa_family_t(AF_INET)
      address.sin_port = UInt16(truncatingIfNeeded: port).bigEndian
      inet_pton(AF_INET, ip, &address.sin_addr)
      return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          body($0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
      }
    case .ipv6:
      var address = sockaddr_in6()
      address.sin6_family = sa_family_t(AF_INET6)
      address.sin6_port = UInt16(truncatingIfNeeded: port).bigEndian
      inet_pton(AF_INET6, ip, &address.sin6_addr)
      address.sin6_scope_id = scopeID
      return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          body($0, socklen_t(MemoryLayout<sockaddr_in6>.size))
        }
      }
    }
  }
}
