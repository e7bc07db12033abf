// What the system resolver is set up to do, read from /etc/resolv.conf the way glibc reads it:
// which nameservers it asks, which search domains it tries and when (ndots), and how long it
// waits. A DNS failure is hard to act on without this, so the probe shows it whenever DNS fails.

import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The parts of resolv.conf(5) that explain a failed lookup.
public struct ResolverConfiguration: Equatable, Sendable, Codable {
  /// The file the settings were read from.
  public var source: String
  /// Why the file could not be read, or `nil` when it was read.
  public var unreadable: String?
  /// Nameservers in the order they are asked; glibc asks 127.0.0.1 when there is none.
  public var nameservers: [String] = []
  /// Domains appended to names with fewer than `ndots` dots (the `search` or `domain` line).
  public var search: [String] = []
  /// A name with at least this many dots is first tried as it is.
  public var ndots = 1
  /// Seconds glibc waits for one nameserver to answer.
  public var timeout = 5
  /// How many times glibc goes round the nameservers.
  public var attempts = 2

  enum CodingKeys: String, CodingKey {
    case source, unreadable, nameservers, search, ndots, timeout, attempts
  }

  /// The defaults glibc uses when `source` holds nothing.
  public init(source: String, unreadable: String? = nil) {
    self.source = source
    self.unreadable = unreadable
  }

  /// Reads `path`, then applies `LOCALDOMAIN` and `RES_OPTIONS` from `environment` as glibc does.
  public static func load(
    path: String = "/etc/resolv.conf", environment: [String: String] = [:]
  ) -> ResolverConfiguration {
    var configuration: ResolverConfiguration
    if let data = FileManager.default.contents(atPath: path) {
      configuration = parse(String(decoding: data, as: UTF8.self), source: path)
    } else {
      let reason = access(path, R_OK) == 0 ? "cannot be read" : SystemError.describe(errno)
      configuration = ResolverConfiguration(source: path, unreadable: reason)
    }
    if let domains = environment["LOCALDOMAIN"] {
      configuration.search = domains.split(whereSeparator: \.isWhitespace).map(String.init)
    }
    if let options = environment["RES_OPTIONS"] {
      configuration.apply(options: options.split(whereSeparator: \.isWhitespace))
    }
    return configuration
  }

  /// Parses the text of a resolv.conf file.
  public static func parse(_ text: String, source: String) -> ResolverConfiguration {
    var configuration = ResolverConfiguration(source: source)
    for line in text.split(whereSeparator: \.isNewline) {
      let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
      guard let keyword = words.first, !keyword.hasPrefix("#"), !keyword.hasPrefix(";") else {
        continue
      }
      let values = words.dropFirst().prefix { !$0.hasPrefix("#") && !$0.hasPrefix(";") }
      switch keyword {
      case "nameserver":
        if let server = values.first { configuration.nameservers.append(String(server)) }
      case "search":
        configuration.search = values.map(String.init)
      case "domain":
        configuration.search = values.first.map { [String($0)] } ?? []
      case "options":
        configuration.apply(options: Array(values))
      default:
        continue
      }
    }
    return configuration
  }

  /// Applies `ndots:N`, `timeout:N` and `attempts:N` with glibc's upper limits.
  mutating func apply<Words: Sequence>(options: Words) where Words.Element == Substring {
    for option in options {
      let parts = option.split(separator: ":", maxSplits: 1)
      guard parts.count == 2, let value = Int(parts[1]), value >= 0 else { continue }
      switch parts[0] {
      case "ndots": ndots = min(value, 15)
      case "timeout": timeout = max(1, min(value, 30))
      case "attempts": attempts = max(1, min(value, 5))
      default: continue
      }
    }
  }

  /// One line for the text report, such as
  /// `nameserver 10.0.0.2; search corp.example; ndots 5; timeout 5 s, 2 attempts`.
  public var summary: String {
    if let unreadable {
      return "\(source): \(unreadable); glibc then asks 127.0.0.1"
    }
    let servers =
      nameservers.isEmpty
      ? "no nameserver (glibc then asks 127.0.0.1)"
      : "nameserver " + nameservers.joined(separator: ", ")
    let domains = search.isEmpty ? "no search domain" : "search " + search.joined(separator: " ")
    return "\(servers); \(domains); ndots \(ndots); timeout \(timeout) s, \(attempts) attempts"
      + " (\(source))"
  }
}
