use puente::concordance::validate::{self, Criteria, PairOutcome, Validation};
use puente::concordance::{self, LabInput};
use rayon::prelude::*;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// CSV with columns sample_id,reference,test[,reference_lab,test_lab]: one row per sample and
    /// lab pair; reference/test are report.json files (or VCFs), relative to the CSV's folder.
    pairs: PathBuf,
    /// Output directory: validation.json, scorecards.tsv, validation.html, pairs/<sample>__<lab>/.
    #[arg(long)]
    out: PathBuf,
    /// Acceptance criteria (TOML; default: the shipped AMP/CAP-spirit criteria).
    #[arg(long)]
    criteria: Option<PathBuf>,
    #[command(flatten)]
    compare: super::concordance::CompareArgs,
    #[arg(long, default_value_t = 2)]
    threads: usize,
}

fn folder_name(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

pub fn exec(a: Args) -> anyhow::Result<i32> {
    let pairs = validate::read_pairs(&a.pairs)?;
    let criteria = match &a.criteria {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| puente::Error::io(p, e))?;
            Criteria::parse(&text, p)?
        }
        None => Criteria::default_criteria(),
    };
    std::fs::create_dir_all(&a.out).map_err(|e| puente::Error::io(&a.out, e))?;
    let lang = a.compare.lang();
    let opts = a.compare.options();
    let cmd = super::command_line();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(a.threads.max(1))
        .build()?;
    let one = |p: &validate::Pair| -> puente::Result<(String, String, concordance::Concordance)> {
        let reference = LabInput::load(&p.reference)?;
        let test = LabInput::load(&p.test)?;
        let labs = [&reference, &test];
        let ref_lab = p
            .reference_lab
            .clone()
            .or(reference.lab_id().map(str::to_string))
            .unwrap_or_else(|| "reference".into());
        let test_lab = p
            .test_lab
            .clone()
            .or(test.lab_id().map(str::to_string))
            .unwrap_or_else(|| "unknown".into());
        let panel = super::concordance::panel_for(a.compare.panel.as_deref(), &labs)?;
        let fasta =
            super::concordance::fasta_for(a.compare.reference_fasta.as_deref(), &labs, &panel)?;
        let refseq = fasta
            .as_ref()
            .map(|(f, r)| (f as &dyn concordance::small::RefSeq, r.clone()));
        let c = concordance::compare_labelled(
            &reference,
            &test,
            Some((&ref_lab, &test_lab)),
            &panel,
            refseq,
            &opts,
            cmd.clone(),
        )?;
        if let Some(s) = reference.sample_id().filter(|s| *s != p.sample_id) {
            if !a.compare.force {
                return Err(puente::Error::input(
                    &p.reference,
                    format!(
                        "pairs.csv names sample {} but the result is {s}",
                        p.sample_id
                    ),
                ));
            }
        }
        Ok((ref_lab, test_lab, c))
    };
    // compare in parallel, then write in sheet order so folder names are unique and stable
    let compared: Vec<_> = pool.install(|| pairs.par_iter().map(one).collect());
    let mut used = std::collections::BTreeSet::new();
    let results: Vec<(PairOutcome, Option<concordance::Concordance>)> = pairs
        .iter()
        .zip(compared)
        .map(|(p, r)| {
            let written = r.and_then(|(ref_lab, test_lab, c)| {
                let base = format!(
                    "pairs/{}__{}",
                    folder_name(&p.sample_id),
                    folder_name(&test_lab)
                );
                let dir = (1..)
                    .map(|k| {
                        if k == 1 {
                            base.clone()
                        } else {
                            format!("{base}__{k}")
                        }
                    })
                    .find(|d| used.insert(d.clone()))
                    .unwrap_or(base);
                puente::report::concordance::write(&a.out.join(&dir), &c, lang)?;
                Ok((ref_lab, test_lab, dir, c))
            });
            match written {
                Ok((ref_lab, test_lab, dir, c)) => (
                    PairOutcome {
                        sample_id: p.sample_id.clone(),
                        reference_lab: ref_lab,
                        test_lab,
                        dir: Some(dir),
                        status: c.summary.status.clone(),
                        error: None,
                    },
                    Some(c),
                ),
                Err(e) => {
                    eprintln!("{}: {e}", p.sample_id);
                    (
                        PairOutcome {
                            sample_id: p.sample_id.clone(),
                            reference_lab: p
                                .reference_lab
                                .clone()
                                .unwrap_or_else(|| "reference".into()),
                            test_lab: p.test_lab.clone().unwrap_or_else(|| "unknown".into()),
                            dir: None,
                            status: "error".into(),
                            error: Some(e.to_string()),
                        },
                        None,
                    )
                }
            }
        })
        .collect();
    let scorecards = validate::scorecards(&results, &criteria);
    let v = Validation {
        schema_version: validate::SCHEMA_VERSION.into(),
        puente_version: puente::VERSION.into(),
        command_line: cmd,
        criteria,
        pairs: results.into_iter().map(|r| r.0).collect(),
        scorecards,
    };
    puente::util::write_atomic(&a.out.join("validation.json"), &puente::util::to_json(&v))?;
    puente::util::write_atomic(
        &a.out.join("scorecards.tsv"),
        validate::scorecards_tsv(&v).as_bytes(),
    )?;
    puente::util::write_atomic(
        &a.out.join("validation.html"),
        puente::report::concordance::render_validation(&v, lang).as_bytes(),
    )?;
    for sc in &v.scorecards {
        println!(
            "{}: {} ({} pairs{})",
            sc.lab,
            sc.status.to_uppercase(),
            sc.pairs,
            if sc.pairs_failed > 0 {
                format!(", {} could not be compared", sc.pairs_failed)
            } else {
                String::new()
            }
        );
        for m in &sc.missing {
            println!("  - {m}");
        }
    }
    println!("written: {}", a.out.join("validation.json").display());
    Ok(0)
}
