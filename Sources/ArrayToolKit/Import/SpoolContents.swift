// What a spool folder holds, read for a replay: the batches it can send, and those it cannot as
// they are (a record file that is damaged, a data file without its record), each with the reason
// a person can act on. One bad batch must not keep the others from being sent.

import Foundation

/// A spooled batch: its record file, its data file and what the record says.
public struct SpoolEntry: Sendable {
  public var recordPath: String
  public var dataPath: String
  public var record: SpoolRecord
}

/// A batch of the spool that a replay cannot send as it is; it is left where it is.
public struct SpoolProblem: Equatable, Sendable {
  public enum Kind: String, Sendable {
    /// The record file cannot be read as a spool record.
    case damagedRecord = "damaged_record"
    /// The data file cannot be read to its end.
    case damagedData = "damaged_data"
    /// A data file whose record file is missing.
    case missingRecord = "missing_record"

    /// How a report names it, before the reason.
    public var label: String {
      switch self {
      case .damagedRecord: "damaged record"
      case .damagedData: "damaged data file"
      case .missingRecord: "not replayed"
      }
    }
  }

  public var kind: Kind
  /// The file at fault: the record file, or the data file.
  public var path: String
  /// What is wrong, for a person.
  public var reason: String
}

/// The contents of a spool folder, oldest first.
public struct SpoolContents: Sendable {
  public var entries: [SpoolEntry] = []
  public var problems: [SpoolProblem] = []
  /// Files that are neither record nor data files; a spool has none of its own.
  public var otherFiles = 0
}

extension SpoolRecord {
  /// Decodes a record file's bytes.
  /// - Throws: a `String` that says what is wrong: not JSON (at which offset), not an object,
  ///   or which field is missing or of the wrong type.
  static func decode(_ data: Data) throws -> SpoolRecord {
    do {
      _ = try JSONSerialization.jsonObject(with: data)
    } catch {
      throw SpoolRecordDamage(reason: notJSON(data, error: error))
    }
    do {
      return try JSONDecoder().decode(SpoolRecord.self, from: data)
    } catch let error as DecodingError {
      throw SpoolRecordDamage(reason: mismatch(error))
    }
  }

  /// Where the JSON parser gave up, from its description (`around character 8`, or the end).
  private static func notJSON(_ data: Data, error: Error) -> String {
    let description = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? ""
    if data.isEmpty { return "the file is empty" }
    if description.contains("end of file") {
      return "not JSON: it ends at offset \(data.count) in the middle of a value"
    }
    let digits = description.reversed().drop { !$0.isNumber }.prefix { $0.isNumber }
    guard let offset = Int(String(digits.reversed())) else { return "not JSON" }
    return "not JSON at offset \(offset)"
  }

  private static func mismatch(_ error: DecodingError) -> String {
    func field(_ path: [CodingKey], _ key: CodingKey? = nil) -> String {
      (path + (key.map { [$0] } ?? [])).map { $0.intValue.map(String.init) ?? $0.stringValue }
        .joined(separator: ".")
    }
    switch error {
    case .keyNotFound(let key, let context):
      return "the field '\(field(context.codingPath, key))' is missing"
    case .valueNotFound(_, let context):
      return "the field '\(field(context.codingPath))' is null"
    case .typeMismatch(let type, let context):
      if context.codingPath.isEmpty { return "not a JSON object" }
      return "the field '\(field(context.codingPath))' is not of type \(type)"
    case .dataCorrupted(let context):
      // Numbers too large for their type come with no path: JSONDecoder gives none.
      guard !context.codingPath.isEmpty else { return "a value is malformed or out of range" }
      let name = field(context.codingPath)
      guard context.debugDescription == SpoolRecord.notADigest else {
        return "the field '\(name)' is malformed"
      }
      return "the field '\(name)' is malformed: \(SpoolRecord.notADigest)"
    @unknown default:
      return "not a spool record"
    }
  }
}

/// Why a record file is no spool record.
struct SpoolRecordDamage: Error {
  var reason: String
}

/// Why a data file is not what was spooled.
struct SpoolDataDamage: Error {
  var reason: String
}
