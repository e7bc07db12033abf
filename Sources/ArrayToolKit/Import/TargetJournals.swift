// The journals of one run's targets. A batch goes on record in the journal of the target that
// accepted it (a primary, a fallback, or the --url of a replay), and a sample counts as already
// accepted when any target of the run has it on record: where data went decides, not the first
// --url. What was spooled is on record with the first primary target, which it was meant for.

import Foundation

/// The journals of a run's primary and fallback targets, under one root folder.
final class TargetJournals: @unchecked Sendable {
  let root: String
  /// The first primary target's journal: where spooled batches are on record.
  let primary: ImportJournal
  /// The run's targets' journals, primary first, each folder once.
  private let journals: [ImportJournal]
  private let byBase: [String: ImportJournal]
  private let names: Set<String>

  init(root: String, targets: [ImportTarget]) throws {
    self.root = root
    var journals: [ImportJournal] = []
    var byBase: [String: ImportJournal] = [:]
    for target in targets {
      let name = ImportJournal.folderName(for: target)
      let journal = try journals.first { $0.name == name }
        ?? ImportJournal(directory: root + "/" + name)
      if !journals.contains(where: { $0 === journal }) { journals.append(journal) }
      byBase[target.base.absoluteString] = journal
    }
    self.journals = journals
    self.byBase = byBase
    primary = journals[0]
    names = Set(journals.map(\.name))
  }

  /// The journal of the target whose base URL is `base`.
  func journal(forBase base: String) -> ImportJournal? { byBase[base] }

  /// Whether the run's targets together got every sample of `member` before.
  func isComplete(archive: String, member: String) -> Bool {
    journals.contains { $0.isComplete(archive: archive, member: member, within: names) }
  }

  /// What the run's targets got before of the performance file `name` (the same array,
  /// controller and time) from another archive or member.
  enum EarlierFile: Equatable {
    /// A copy with the same bytes, every sample got.
    case copy(archive: String, member: String)
    /// A file of the same name whose bytes differ from these, or are not known (recorded
    /// before prints were kept), every sample got.
    case other(member: String, print: ContainerPrint?)
  }

  /// The earlier file of the name `name`; nil when there is none or the name is not a
  /// performance file's. `print` gives this file's print, asked for only when needed.
  func earlierFile(
    named name: String, archive: String, member: String, print: () -> ContainerPrint?
  ) -> EarlierFile? {
    guard let window = PerfFileName(name)?.windowKey else { return nil }
    var mine: ContainerPrint??
    var differing: EarlierFile?
    for journal in journals {
      for entry in journal.files.entries(window: window)
      where (entry.archive, entry.member) != (archive, member)
        && isComplete(archive: entry.archive, member: entry.member)
      {
        // Without a print the earlier bytes are not known: taking this file for that one could
        // lose what only this one holds, so it is not sent and is named.
        guard let theirs = entry.print else {
          differing = differing ?? .other(member: entry.member, print: nil)
          continue
        }
        if mine == nil { mine = .some(print()) }
        // A file that cannot be read here fails when it is decoded: it is no copy of anything.
        guard let own = mine! else { return nil }
        if own == theirs { return .copy(archive: entry.archive, member: entry.member) }
        differing = differing ?? .other(member: entry.member, print: theirs)
      }
    }
    return differing
  }

  /// The pieces of `member` any of the run's targets accepted, or that are spooled for one.
  func pieces(archive: String, member: String) -> [BatchPiece] {
    journals.flatMap { $0.pieces(archive: archive, member: member) }
  }

  /// Samples of `member` in the spool and accepted by none of the run's targets yet.
  func samplesWaitingInSpool(archive: String, member: String) -> Int {
    let state = onRecord(archive: archive, member: member)
    return state.spooled.subtracting(state.accepted).reduce(0) { $0 + $1.samples }
  }

  /// Samples of `member` that any of the run's targets has on record as accepted: what earlier
  /// runs sent of it, each piece once however many targets took it.
  func samplesAccepted(archive: String, member: String) -> Int {
    onRecord(archive: archive, member: member).accepted.reduce(0) { $0 + $1.samples }
  }

  /// The pieces of `member` spooled for, and accepted by, any of the run's targets.
  private func onRecord(archive: String, member: String)
    -> (spooled: Set<BatchPiece>, accepted: Set<BatchPiece>)
  {
    var spooled: Set<BatchPiece> = []
    var accepted: Set<BatchPiece> = []
    for journal in journals {
      let state = journal.spoolState(archive: archive, member: member)
      spooled.formUnion(state.spooled)
      accepted.formUnion(state.accepted)
    }
    return (spooled, accepted)
  }

  /// Records that every sample of `member` is now accepted or spooled, by the targets that
  /// accepted some of it in this run and those that have any of it on record from before.
  func recordComplete(
    archive: String, member: String, file name: String, print: () -> ContainerPrint?,
    acceptedBy: Set<String>
  ) throws {
    var holders = journals.filter {
      acceptedBy.contains($0.name) || !$0.pieces(archive: archive, member: member).isEmpty
    }
    if holders.isEmpty { holders = [primary] }
    let targets = holders.map(\.name).sorted()
    let window = PerfFileName(name)?.windowKey
    // Read only for a file the index keeps: a loose file's print means reading it once more.
    let print = window == nil ? nil : print()
    for journal in holders {
      try journal.record(.complete, archive: archive, member: member, pieces: [], targets: targets)
      if let window {
        try journal.files.add(
          .init(window: window, archive: archive, member: member, print: print))
      }
    }
  }

  /// Forgets what every target of the run has on record for `archive` (`--force`).
  func reset(archive: String) {
    for journal in journals { journal.reset(archive: archive) }
  }

  func flush() {
    for journal in journals { journal.flush() }
  }
}
