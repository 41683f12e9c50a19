use super::run::Clinical;
use puente::{panel::Panel, pipeline, report};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(clap::Subcommand)]
enum Cmd {
    /// Print the risk groups of a report.json with the rules that fired, the calls behind them and
    /// the inputs still missing. With --rules or clinical values (e.g. MRD that arrived after
    /// the run) the groups are re-evaluated from the report's findings without re-calling.
    Explain {
        report: PathBuf,
        /// Rules file to use instead of the one the report was assessed with.
        #[arg(long)]
        rules: Option<PathBuf>,
        /// Panel whose knowledge base the rules are checked against.
        #[arg(long, default_value = "all-v1")]
        panel: String,
        #[command(flatten)]
        clinical: Clinical,
        /// Print the assessment as JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

pub fn exec(a: Args) -> anyhow::Result<i32> {
    let Cmd::Explain {
        report: path,
        rules,
        panel,
        clinical,
        json,
    } = a.cmd;
    let r = report::read_report(&path)?;
    let overrides = clinical.lineage.is_some()
        || clinical.age_years.is_some()
        || clinical.wbc_per_ul.is_some()
        || clinical.cns_status.is_some()
        || clinical.mrd_day15.is_some()
        || clinical.mrd_eoi.is_some();
    let assessment = if rules.is_some() || overrides {
        let panel = Panel::load(&panel)?;
        let set = match &rules {
            Some(p) => pipeline::load_rules(p, &panel)?,
            None => panel.risk.clone(),
        };
        let mut sample = r.sample.clone();
        clinical.apply(&mut sample);
        eprintln!(
            "re-evaluated from the findings of {} with {} {}{}",
            path.display(),
            set.reference.name,
            set.reference.version,
            if overrides {
                " and the clinical values given"
            } else {
                ""
            }
        );
        set.assess(&sample, &r.findings, r.qc.verdict)
    } else {
        r.risk.clone()
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&assessment)?);
    } else {
        println!("Sample {}", r.sample.sample_id);
        print!("{}", report::explain::risk_text(&assessment));
    }
    Ok(0)
}
