// The DNS step of a probe: the `HostResolver` protocol behind which the system resolver sits (so
// tests can put a failing one in its place), the ways a lookup can fail, and how each of them is
// classified for the user.

#if canImport(Glibc)
  import Glibc
#endif

/// Looks up the addresses of a host name.
public protocol HostResolver: Sendable {
  /// Every IPv4 and IPv6 address of `host`, in the order the resolver gave them, with `port`.
  ///
  /// Must return or throw by `deadline`, even when the resolver underneath hangs.
  /// - Throws: `ResolverError`.
  func lookUp(host: String, port: Int, deadline: Deadline) throws -> [ResolvedAddress]
}

/// Why a lookup gave no address.
public enum ResolverError: Error, Equatable, Sendable {
  /// `getaddrinfo` returned this `EAI_*` code; `systemErrno` is `errno` for `EAI_SYSTEM`.
  case lookupFailed(code: Int32, systemErrno: Int32)
  /// The resolver had not answered when the deadline passed.
  case noAnswer(seconds: Double)
  /// The name is under a top-level domain that never exists, such as `.invalid` (RFC 6761).
  case reservedName(domain: String)
  /// The lookup succeeded but gave no address that TCP can use.
  case noUsableAddress

  /// glibc's "the host has no address" codes, which Swift's Glibc module leaves out because
  /// they are GNU extensions.
  static let noDataCode: Int32 = -5
  static let addressFamilyCode: Int32 = -9

  /// Classifies the error for `host` into a kind and a one-line message.
  public func failure(host: String) -> ProbeFailure {
    switch self {
    case .noAnswer(let seconds):
      return ProbeFailure(
        .dnsTemporary,
        "\(host): the resolver did not answer within \(Self.format(seconds: seconds)) s")
    case .reservedName(let domain):
      return ProbeFailure(
        .dnsNotFound, "\(host): names under .\(domain) never exist (RFC 6761), nothing was asked")
    case .noUsableAddress:
      return ProbeFailure(.noAddress, "\(host): the name resolved to no IPv4 or IPv6 address")
    case .lookupFailed(let code, let systemErrno):
      return ProbeFailure(Self.kind(code: code), "\(host): " + Self.describe(code, systemErrno))
    }
  }

  /// The kind for a `getaddrinfo` return code.
  static func kind(code: Int32) -> ProbeErrorKind {
    switch code {
    case EAI_AGAIN: return .dnsTemporary
    case EAI_NONAME: return .dnsNotFound
    case noDataCode, addressFamilyCode: return .noAddress
    default: return .dnsFailed
    }
  }

  /// `gai_strerror` in lower case with the C constant's name, such as
  /// `temporary failure in name resolution (EAI_AGAIN)`.
  static func describe(_ code: Int32, _ systemErrno: Int32) -> String {
    if code == EAI_SYSTEM {
      return SystemError.describe(systemErrno) + " (EAI_SYSTEM)"
    }
    let text = gai_strerror(code).map { String(cString: $0) } ?? "error \(code)"
    let names: [Int32: String] = [
      EAI_AGAIN: "EAI_AGAIN", EAI_NONAME: "EAI_NONAME", EAI_FAIL: "EAI_FAIL",
      EAI_MEMORY: "EAI_MEMORY", EAI_FAMILY: "EAI_FAMILY", EAI_SERVICE: "EAI_SERVICE",
      noDataCode: "EAI_NODATA", addressFamilyCode: "EAI_ADDRFAMILY",
    ]
    let name = names[code] ?? "code \(code)"
    return text.prefix(1).lowercased() + text.dropFirst() + " (\(name))"
  }

  /// Seconds to a tenth, without a trailing `.0`: `2`, `0.5`, `1.5`.
  static func format(seconds: Double) -> String {
    let tenths = (seconds * 10).rounded() / 10
    return tenths == tenths.rounded() ? String(Int(tenths)) : String(tenths)
  }
}
