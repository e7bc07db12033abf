// `arraytool inspect`: what an export holds, per input, without sending anything.

import Foundation

/// Describes exports: arrays, time range, resources, metrics, series, samples and faults.
public enum InspectCommand: Command {
  public static let spec = CommandSpec(
    name: "inspect",
    summary: "Show what an export holds: arrays, time range, series, samples and faults.",
    discussion: """
      Decodes every .dat file of each input and reports its files, array serials and models,
      controllers, time range, sampling intervals, resource types with their element counts,
      metric ids (known and unknown to the catalogue), series and sample counts, and every
      fault found. Nothing is sent anywhere. Exit status 1 when a fault was found, 2 when an
      input cannot be read or a folder holds no export file.
      """,
    positionals: [PositionalSpec("INPUT", help: "Export .zip, .tgz, .tar, .dat or folder.", variadic: true)],
    options: [OptionSpec("json", help: "Print one JSON object instead of text.")],
    examples: [
      "arraytool inspect Storage_History_Performance_Files.zip",
      "arraytool inspect --json exports/ | jq .samples",
    ]
  )

  public static func run(_ arguments: ParsedArguments, context: CommandContext) throws
    -> ExitStatus
  {
    let catalog = try SeriesCatalog.bundled()
    let reader = PerfUnitReader(catalog: catalog)
    var perInput: [(String, ExportInventory)] = []
    var total = ExportInventory()
    let listings = try arguments.positionals.map { try PerfInput.units(for: [$0]) }
    // What import would leave out or refuse across all the inputs, told with the input it is in.
    let (sent, repeats, conflicts) = DuplicateInputs.split(
      listings.flatMap(\.units), digests: ArchiveDigests())
    // The totals count what import would send: the files kept, which come in the inputs' order.
    // Each input's own figures count all it holds.
    var toSend = sent.map(\.location)[...]
    total.repeats = repeats
    total.conflicts = conflicts
    // Each is told once: a repeated input with the last input that holds it (the one given
    // again), a file repeated by name with the first (the one the repeats by content left).
    var first: [String: Int] = [:]
    var last: [String: Int] = [:]
    for (index, listing) in listings.enumerated() {
      for unit in listing.units {
        first[unit.location] = first[unit.location] ?? index
        last[unit.path] = index
      }
    }
    func owner(_ repeated: DuplicateInput) -> Int? {
      repeated.byName ? first[repeated.path] : last[repeated.path]
    }
    for (index, (input, listing)) in zip(arguments.positionals, listings).enumerated() {
      var inventory = ExportInventory()
      inventory.faults = listing.faults
      inventory.notes = listing.notes
      inventory.repeats = repeats.filter { owner($0) == index }
      inventory.conflicts = conflicts.filter { first[$0.location] == index }
      for unit in listing.units {
        let counted = toSend.first == unit.location
        if counted { toSend.removeFirst() }
        var lastLayout: SeriesLayout?
        let summary = try reader.read(unit) { _, layout in
          if layout !== lastLayout {
            inventory.add(layout: layout)
            if counted { total.add(layout: layout) }
            lastLayout = layout
          }
        }
        inventory.add(summary)
        if counted {
          total.add(summary)
          inventory.filesToSend += 1
          inventory.samplesToSend += summary.samples
        }
      }
      // An input given again finds the same faults in the same places: they are one each.
      total.faults += listing.faults.filter { !total.faults.contains($0) }
      total.notes += listing.notes.filter { !total.notes.contains($0) }
      perInput.append((input, inventory))
    }
    if arguments.flag("json") {
      try context.console.print(InspectReport.json(total: total, inputs: perInput, catalog: catalog))
    } else {
      for (input, inventory) in perInput {
        try context.console.out.write(InspectReport.text(input: input, inventory, catalog: catalog))
      }
    }
    return total.faults.isEmpty && total.conflicts.isEmpty ? .success : .problems
  }
}
