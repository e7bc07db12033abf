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
    let (_, repeats, conflicts) = DuplicateInputs.split(
      listings.flatMap(\.units), digests: ArchiveDigests())
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
        var lastLayout: SeriesLayout?
        let summary = try reader.read(unit) { _, layout in
          if layout !== lastLayout {
            inventory.add(layout: layout)
            total.add(layout: layout)
            lastLayout = layout
          }
        }
        inventory.add(summary)
        total.add(summary)
      }
      total.faults += listing.faults
      total.notes += listing.notes
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
