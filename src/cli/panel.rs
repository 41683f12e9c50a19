use puente::panel::Panel;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Check a panel: checksums, sorted BEDs inside contigs, transcripts, hotspots inside the capture.
    Validate {
        #[arg(default_value = "all-v1")]
        panel: String,
        /// Also check the panel against this reference: build, every pinned CDS reads as a
        /// protein (ATG ... stop, no internal stop), every hotspot REF matches.
        #[arg(long)]
        reference: Option<std::path::PathBuf>,
    },
    /// Print the panel's genes, roles and region sizes.
    Show {
        #[arg(default_value = "all-v1")]
        panel: String,
    },
}

pub fn exec(a: Args) -> anyhow::Result<i32> {
    match a.action {
        Action::Validate { panel, reference } => {
            let p = Panel::load(&panel)?;
            let mut problems = p.validate();
            if let Some(r) = reference {
                let r = puente::ingest::Reference::open(&r)?;
                if let Err(e) = puente::pipeline::check_reference(&r, &p) {
                    problems.push(e.to_string());
                }
            }
            if problems.is_empty() {
                println!("panel {} {} ({}): OK — {} genes, {} capture targets, {} hotspots, {} known fusions",
                    p.manifest.panel.name, p.manifest.panel.version, p.manifest.panel.build, p.manifest.genes.len(), p.capture.len(), p.hotspots.len(), p.fusions.len());
                Ok(0)
            } else {
                for x in &problems {
                    eprintln!("panel {}: {x}", p.source);
                }
                eprintln!("panel {}: {} problem(s)", p.source, problems.len());
                Ok(4)
            }
        }
        Action::Show { panel } => {
            let p = Panel::load(&panel)?;
            let bp = |r: &[puente::model::Region]| r.iter().map(|x| x.len()).sum::<u64>();
            println!(
                "# {} {} {} sha256 {}",
                p.manifest.panel.name, p.manifest.panel.version, p.manifest.panel.build, p.sha256
            );
            println!(
                "# capture {} bp, reportable {} bp, fusion search {} bp",
                bp(&p.capture),
                bp(&p.reportable),
                bp(&p.fusion_search)
            );
            println!("gene\troles\ttranscript\tlocus\twhy");
            for g in &p.manifest.genes {
                println!(
                    "{}\t{}\t{}\t{}:{}-{}\t{}",
                    g.name,
                    g.roles.join(","),
                    g.transcript,
                    g.chrom,
                    g.start,
                    g.end,
                    g.why
                );
            }
            Ok(0)
        }
    }
}
