// Inputs of one run whose bytes are those of an earlier input (a copy under another name, or the
// same path given twice): their samples are sent once, with the first, and the report names the
// rest. Without this both were decoded at once, neither found the other in the journal, and part
// of the export was stored twice.

import Foundation

/// An input left out because an earlier input of the run holds the same bytes, or a performance
/// file left out because an earlier one of the run has its name.
public struct DuplicateInput: Equatable, Sendable {
  /// The input left out (`path!member` for a file inside a zip left out by its name).
  public var path: String
  /// The earlier input with the same SHA-256 (the same path when it was given twice), or the
  /// earlier file of the same name.
  public var sameAs: String
  /// Its .dat files, none of which was sent.
  public var files: Int
  /// Whether it was left out for its file name rather than its bytes.
  public var byName = false
}

enum DuplicateInputs {
  /// `units` without those whose archive (by SHA-256) and member came earlier in the list, and
  /// the inputs so left out, in order. A file that cannot be read is kept: the import names why.
  static func split(_ units: [DatUnit], digests: ArchiveDigests)
    -> (units: [DatUnit], duplicates: [DuplicateInput])
  {
    // One file given once cannot repeat itself: no need to read it here.
    let several = Set(units.map(\.path)).count > 1
    var owner: [String: String] = [:]
    var seen: Set<[String]> = []
    var kept: [DatUnit] = []
    var duplicates: [DuplicateInput] = []
    for unit in units {
      guard let digest = several ? try? digests.sha256(of: unit.path) : unit.path else {
        kept.append(unit)
        continue
      }
      let first = owner[digest, default: unit.path]
      owner[digest] = first
      if seen.insert([digest, unit.member ?? ""]).inserted {
        kept.append(unit)
      } else if let last = duplicates.indices.last, duplicates[last].path == unit.path {
        duplicates[last].files += 1
      } else {
        duplicates.append(DuplicateInput(path: unit.path, sameAs: first, files: 1))
      }
    }
    return sameNames(kept, duplicates: duplicates)
  }

  /// `units` without those whose performance file name came earlier: the name says array,
  /// controller and time window, so two files of one name hold the same samples, whatever
  /// holds them (the zip and its unpacked copy, one .tgz in two day folders). Names that are
  /// not of that pattern say nothing and are kept.
  private static func sameNames(_ units: [DatUnit], duplicates: [DuplicateInput])
    -> (units: [DatUnit], duplicates: [DuplicateInput])
  {
    var first: [String: String] = [:]
    var kept: [DatUnit] = []
    var duplicates = duplicates
    for unit in units {
      guard let key = PerfFileName(unit.name)?.windowKey else {
        kept.append(unit)
        continue
      }
      if let earlier = first[key] {
        duplicates.append(
          DuplicateInput(path: unit.location, sameAs: earlier, files: 1, byName: true))
      } else {
        first[key] = unit.location
        kept.append(unit)
      }
    }
    return (kept, duplicates)
  }
}
