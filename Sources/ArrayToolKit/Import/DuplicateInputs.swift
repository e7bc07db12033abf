// Inputs of one run whose bytes are those of an earlier input (a copy under another name, or the
// same path given twice): their samples are sent once, with the first, and the report names the
// rest. Without this both were decoded at once, neither found the other in the journal, and part
// of the export was stored twice.

import Foundation

/// An input left out because an earlier input of the run holds the same bytes, or a performance
/// file left out because an earlier one of the run has its name and stored bytes.
public struct DuplicateInput: Equatable, Sendable {
  /// The input left out (`path!member` for a file inside a zip left out by its name).
  public var path: String
  /// The earlier input with the same SHA-256 (the same path when it was given twice), or the
  /// earlier file of the same name and print.
  public var sameAs: String
  /// Its .dat files, none of which was sent.
  public var files: Int
  /// Whether it was left out as a file of an earlier file's name (and print) rather than as a
  /// whole input.
  public var byName = false
}

/// Two performance files of one name (array, controller, time window) whose bytes differ: one
/// may be a copy cut short or an export made again. Both stay in the run until one is left
/// out as damaged; the import does not choose between them.
public struct NameConflict: Equatable, Sendable {
  /// `path!member` or `path` of the later file, and of the earlier one.
  public var location: String
  public var other: String
  /// The sizes of their stored bytes (the .tgz, .tar or .dat).
  public var size: Int64
  public var otherSize: Int64

  /// What was found.
  public var finding: String {
    "\(location) and \(other) are named for the same array, controller and time window but "
      + "hold different bytes (\(size) and \(otherSize) bytes): one of them may be a copy cut "
      + "short, an export made again, or the same data packed another way"
  }

  /// What to tell the user when the conflict stops a run that would have `done` (sent,
  /// written) their samples.
  public func message(done: String = "sent") -> String {
    finding + ". See which is right ('arraytool inspect' shows what each holds) and give only "
      + "that one; nothing was \(done)"
  }
}

enum DuplicateInputs {
  /// `units` without those whose archive (by SHA-256) and member came earlier in the list, and
  /// the inputs so left out, in order. A file that cannot be read is kept: the import names why.
  /// Files of one name whose bytes differ are all kept, and named as conflicts.
  static func split(_ units: [DatUnit], digests: ArchiveDigests)
    -> (units: [DatUnit], duplicates: [DuplicateInput], conflicts: [NameConflict])
  {
    // Only files of one size can hold the same bytes: the others are known by their path and
    // not read here (export and inspect would otherwise read every file twice).
    var sizes: [String: Int64] = [:]
    var paths: [Int64: Int] = [:]
    for path in Set(units.map(\.path)) {
      var info = stat()
      guard stat(path, &info) == 0 else { continue }
      sizes[path] = Int64(info.st_size)
      paths[Int64(info.st_size), default: 0] += 1
    }
    var owner: [String: String] = [:]
    var seen: Set<[String]> = []
    var kept: [DatUnit] = []
    var duplicates: [DuplicateInput] = []
    for unit in units {
      let alone = sizes[unit.path].map { paths[$0] == 1 } ?? true
      guard let digest = alone ? unit.path : try? digests.sha256(of: unit.path) else {
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

  /// `units` without those whose performance file name and stored bytes came earlier: the name
  /// says array, controller and time window, and with the same bytes two files are one, whatever
  /// holds them (the zip and its unpacked copy, one .tgz in two day folders). Files of one name
  /// with other bytes are all kept and named as conflicts. Names that are not of that pattern
  /// say nothing and are kept.
  private static func sameNames(_ units: [DatUnit], duplicates: [DuplicateInput])
    -> (units: [DatUnit], duplicates: [DuplicateInput], conflicts: [NameConflict])
  {
    // The files kept so far under each name, with their prints once read.
    var byName: [String: [(unit: DatUnit, print: ContainerPrint?)]] = [:]
    var kept: [DatUnit] = []
    var duplicates = duplicates
    var conflicts: [NameConflict] = []
    for unit in units {
      guard let key = PerfFileName(unit.name)?.windowKey else {
        kept.append(unit)
        continue
      }
      guard var earlier = byName[key] else {
        byName[key] = [(unit, nil)]
        kept.append(unit)
        continue
      }
      // A file that cannot be read is neither the same nor another: it is kept, and fails.
      guard let print = try? unit.containerPrint() else {
        kept.append(unit)
        continue
      }
      for index in earlier.indices where earlier[index].print == nil {
        earlier[index].print = try? earlier[index].unit.containerPrint()
      }
      byName[key] = earlier
      if let same = earlier.first(where: { $0.print == print }) {
        duplicates.append(
          DuplicateInput(path: unit.location, sameAs: same.unit.location, files: 1, byName: true))
        continue
      }
      // One conflict with each earlier print: with any of them left out as damaged, the
      // others still conflict.
      var prints: Set<ContainerPrint> = []
      for other in earlier {
        guard let theirs = other.print, prints.insert(theirs).inserted else { continue }
        conflicts.append(
          NameConflict(
            location: unit.location, other: other.unit.location,
            size: print.size, otherSize: theirs.size))
      }
      byName[key]!.append((unit, print))
      kept.append(unit)
    }
    return (kept, duplicates, conflicts)
  }
}
