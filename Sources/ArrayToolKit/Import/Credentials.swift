// Credentials for the import target, read from the environment or from files so that they never
// appear on a command line, in a process list or in arraytool's output.

import Foundation

/// How requests authenticate.
public enum Credentials: Equatable, Sendable {
  case none
  /// `user:password` for HTTP basic authentication.
  case basic(user: String, password: String)
  case bearer(String)

  /// The `Authorization` header value, if any.
  public var authorization: String? {
    switch self {
    case .none: return nil
    case .basic(let user, let password):
      return "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    case .bearer(let token): return "Bearer \(token)"
    }
  }

  /// Reads credentials: `--bearer-token-file`/`--basic-auth-file` first, then
  /// `ARRAYTOOL_BEARER_TOKEN(_FILE)` and `ARRAYTOOL_BASIC_AUTH(_FILE)` (`user:password`).
  /// - Throws: `SystemError` when a named file cannot be read, `UsageError` for a malformed value.
  public static func load(
    bearerFile: String?, basicFile: String?, environment: [String: String]
  ) throws -> Credentials {
    func read(_ path: String) throws -> String {
      do {
        return try String(contentsOfFile: path, encoding: .utf8)
          .trimmingCharacters(in: .whitespacesAndNewlines)
      } catch {
        throw SystemError("cannot read credentials file \(path)", cause: error)
      }
    }
    func basic(_ text: String, source: String) throws -> Credentials {
      guard let colon = text.firstIndex(of: ":") else {
        throw UsageError("\(source) must hold user:password", command: "import")
      }
      return .basic(
        user: String(text[..<colon]), password: String(text[text.index(after: colon)...]))
    }
    if let bearerFile { return .bearer(try read(bearerFile)) }
    if let basicFile { return try basic(try read(basicFile), source: basicFile) }
    if let token = environment["ARRAYTOOL_BEARER_TOKEN"], !token.isEmpty { return .bearer(token) }
    if let path = environment["ARRAYTOOL_BEARER_TOKEN_FILE"], !path.isEmpty {
      return .bearer(try read(path))
    }
    if let pair = environment["ARRAYTOOL_BASIC_AUTH"], !pair.isEmpty {
      return try basic(pair, source: "ARRAYTOOL_BASIC_AUTH")
    }
    if let path = environment["ARRAYTOOL_BASIC_AUTH_FILE"], !path.isEmpty {
      return try basic(try read(path), source: path)
    }
    return .none
  }
}
