import VMXModel

/// Prints a verdict for humans: the answer, then one line per reason and warning.
struct VerdictRenderer {
    let style: TerminalStyle

    func render(_ verdict: Verdict) {
        let answer =
            verdict.compatible
            ? style.green("COMPATIBLE") : style.red("INCOMPATIBLE")
        let vm = verdict.vm ?? "VM"
        let target = verdict.target ?? "target"
        style.print(style.bold("\(vm) → \(target): ") + answer + " (\(verdict.level.rawValue))")
        var facts = ["eVMCS \(verdict.context.evmcs ? "on" : "off")"]
        if verdict.context.evmcs {
            facts.append("PERF_GLOBAL_CTRL bit \(verdict.context.perfGlobalCtrl ? "set" : "clear")")
        }
        if verdict.context.nestedState { facts.append("nested state migrates") }
        if verdict.context.sourceBasis == .measured {
            facts.append("source measured")
        } else if let era = verdict.context.sourceEra {
            facts.append("source era \(era.span)" + (verdict.context.sourceBasis.map { " (\($0.rawValue))" } ?? ""))
        }
        if verdict.context.targetBasis == .measured {
            facts.append("target measured" + (verdict.context.targetEra.map { " (era \($0.rawValue))" } ?? ""))
        } else if let era = verdict.context.targetEra {
            facts.append("target era \(era.span)" + (verdict.context.targetBasis.map { " (\($0.rawValue))" } ?? ""))
        }
        style.print(style.dim("  " + facts.joined(separator: ", ")))
        if !verdict.reasons.isEmpty {
            style.print("")
            style.print(style.bold("Reasons (\(verdict.reasons.count))"))
            var table = Table()
            for reason in verdict.reasons {
                let what = reason.label ?? reason.field ?? reason.msr ?? ""
                table.add(
                    [style.red(reason.code.rawValue), what, reason.message],
                    plain: [reason.code.rawValue, what, reason.message]
                )
            }
            for line in table.render() { style.print(line) }
        }
        if !verdict.warnings.isEmpty {
            style.print("")
            style.print(style.bold("Warnings (\(verdict.warnings.count))"))
            for warning in verdict.warnings {
                style.print("  " + style.yellow(warning.code) + "  " + warning.message)
            }
        }
    }
}
