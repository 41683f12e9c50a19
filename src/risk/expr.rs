//! The condition language of risk.toml: `age_years >= 10 or finding("fusion.BCR-ABL1")`.
//!
//! Comparisons, `and`/`or`/`not`, parentheses, numbers and quoted strings, input names and a few
//! functions. Evaluation is three-valued: a comparison on an input the sample does not have is
//! *unknown*, and unknown only decides the result when the known parts cannot (Kleene logic), so a
//! missing MRD value never silently counts as low.
use std::collections::BTreeSet;

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Num(f64),
    Str(String),
    Ident(String),
    Call(String, Vec<Expr>),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Cmp(Box<Expr>, CmpOp, Box<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CmpOp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Str(String),
    Ident(String),
    Op(&'static str),
    LParen,
    RParen,
    Comma,
}

fn tokenize(s: &str) -> Result<Vec<(usize, Tok)>, String> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i] as char;
        let at = i + 1;
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == '(' {
            out.push((at, Tok::LParen));
            i += 1;
        } else if c == ')' {
            out.push((at, Tok::RParen));
            i += 1;
        } else if c == ',' {
            out.push((at, Tok::Comma));
            i += 1;
        } else if c == '"' {
            let end = s[i + 1..]
                .find('"')
                .ok_or(format!("column {at}: string not closed"))?;
            out.push((at, Tok::Str(s[i + 1..i + 1 + end].to_string())));
            i += end + 2;
        } else if c.is_ascii_digit() || c == '.' {
            let end = s[i..]
                .find(|ch: char| !(ch.is_ascii_digit() || ch == '.' || ch == 'e' || ch == '_'))
                .map_or(s.len(), |e| i + e);
            let text = s[i..end].replace('_', "");
            let n = text
                .parse::<f64>()
                .map_err(|_| format!("column {at}: bad number {:?}", &s[i..end]))?;
            out.push((at, Tok::Num(n)));
            i = end;
        } else if c.is_ascii_alphabetic() || c == '_' {
            let end = s[i..]
                .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                .map_or(s.len(), |e| i + e);
            out.push((at, Tok::Ident(s[i..end].to_string())));
            i = end;
        } else {
            let two = s.get(i..i + 2).unwrap_or("");
            let op = ["<=", ">=", "==", "!="]
                .into_iter()
                .find(|o| *o == two)
                .or(["<", ">"].into_iter().find(|o| o.as_bytes()[0] == b[i]));
            match op {
                Some(o) => {
                    out.push((at, Tok::Op(o)));
                    i += o.len();
                }
                None => return Err(format!("column {at}: unexpected {c:?}")),
            }
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<(usize, Tok)>,
    k: usize,
    len: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.k).map(|t| &t.1)
    }
    fn col(&self) -> usize {
        self.toks.get(self.k).map_or(self.len + 1, |t| t.0)
    }
    fn keyword(&mut self, w: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Ident(x)) if x == w) {
            self.k += 1;
            true
        } else {
            false
        }
    }
    fn or(&mut self) -> Result<Expr, String> {
        let mut e = self.and()?;
        while self.keyword("or") {
            e = Expr::Or(Box::new(e), Box::new(self.and()?));
        }
        Ok(e)
    }
    fn and(&mut self) -> Result<Expr, String> {
        let mut e = self.not()?;
        while self.keyword("and") {
            e = Expr::And(Box::new(e), Box::new(self.not()?));
        }
        Ok(e)
    }
    fn not(&mut self) -> Result<Expr, String> {
        if self.keyword("not") {
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        self.cmp()
    }
    fn cmp(&mut self) -> Result<Expr, String> {
        let l = self.atom()?;
        if let Some(Tok::Op(o)) = self.peek() {
            let op = match *o {
                "<" => CmpOp::Lt,
                "<=" => CmpOp::Le,
                ">" => CmpOp::Gt,
                ">=" => CmpOp::Ge,
                "==" => CmpOp::Eq,
                _ => CmpOp::Ne,
            };
            self.k += 1;
            let r = self.atom()?;
            return Ok(Expr::Cmp(Box::new(l), op, Box::new(r)));
        }
        Ok(l)
    }
    fn atom(&mut self) -> Result<Expr, String> {
        let col = self.col();
        let t = self
            .toks
            .get(self.k)
            .map(|t| t.1.clone())
            .ok_or(format!("column {col}: the condition ends too early"))?;
        self.k += 1;
        match t {
            Tok::Num(n) => Ok(Expr::Num(n)),
            Tok::Str(s) => Ok(Expr::Str(s)),
            Tok::LParen => {
                let e = self.or()?;
                if self.peek() != Some(&Tok::RParen) {
                    return Err(format!("column {}: expected )", self.col()));
                }
                self.k += 1;
                Ok(e)
            }
            Tok::Ident(id) if ["and", "or", "not"].contains(&id.as_str()) => {
                Err(format!("column {col}: unexpected {id:?}"))
            }
            Tok::Ident(id) => {
                if self.peek() != Some(&Tok::LParen) {
                    return Ok(Expr::Ident(id));
                }
                self.k += 1;
                let mut args = Vec::new();
                if self.peek() == Some(&Tok::RParen) {
                    self.k += 1;
                    return Ok(Expr::Call(id, args));
                }
                loop {
                    args.push(self.or()?);
                    match self.peek() {
                        Some(Tok::Comma) => self.k += 1,
                        Some(Tok::RParen) => {
                            self.k += 1;
                            return Ok(Expr::Call(id, args));
                        }
                        _ => return Err(format!("column {}: expected , or )", self.col())),
                    }
                }
            }
            other => Err(format!("column {col}: unexpected {other:?}")),
        }
    }
}

/// Parse one condition; errors name the column.
pub fn parse(s: &str) -> Result<Expr, String> {
    let toks = tokenize(s)?;
    if toks.is_empty() {
        return Err("empty condition".into());
    }
    let mut p = Parser {
        toks,
        k: 0,
        len: s.len(),
    };
    let e = p.or()?;
    if p.k < p.toks.len() {
        return Err(format!(
            "column {}: unexpected text after the condition",
            p.col()
        ));
    }
    Ok(e)
}

/// A value during evaluation. `Unknown` carries the inputs whose absence made it so.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Num(f64),
    Str(String),
    Bool(bool),
    Unknown(BTreeSet<String>),
}

/// What a condition can look at.
pub trait Env {
    /// An input or an earlier output: `None` if the name is not known at all.
    fn ident(&self, name: &str) -> Option<Value>;
    /// A function call on literal arguments, with the call IDs behind a true answer.
    fn call(&self, name: &str, args: &[Value]) -> Option<(Value, Vec<String>)>;
}

/// Evaluate to true/false/unknown, collecting the call IDs behind the parts that decided it.
pub fn eval(e: &Expr, env: &dyn Env, calls: &mut Vec<String>) -> Value {
    match e {
        Expr::Num(n) => Value::Num(*n),
        Expr::Str(s) => Value::Str(s.clone()),
        Expr::Ident(id) => env
            .ident(id)
            .unwrap_or_else(|| Value::Unknown(BTreeSet::from([id.clone()]))),
        Expr::Call(f, args) => {
            let vals: Vec<Value> = args.iter().map(|a| eval(a, env, calls)).collect();
            match env.call(f, &vals) {
                Some((v, ids)) => {
                    if v == Value::Bool(true) {
                        calls.extend(ids);
                    }
                    v
                }
                None => Value::Unknown(BTreeSet::from([format!("{f}()")])),
            }
        }
        Expr::Not(x) => match eval(x, env, calls) {
            Value::Bool(b) => Value::Bool(!b),
            other => unknown_of(other),
        },
        Expr::And(a, b) => {
            let mut ca = Vec::new();
            let mut cb = Vec::new();
            let (x, y) = (eval(a, env, &mut ca), eval(b, env, &mut cb));
            match (&x, &y) {
                (Value::Bool(false), _) => {
                    calls.extend(ca);
                    Value::Bool(false)
                }
                (_, Value::Bool(false)) => {
                    calls.extend(cb);
                    Value::Bool(false)
                }
                (Value::Bool(true), Value::Bool(true)) => {
                    calls.extend(ca);
                    calls.extend(cb);
                    Value::Bool(true)
                }
                _ => merge_unknown(x, y),
            }
        }
        Expr::Or(a, b) => {
            let mut ca = Vec::new();
            let mut cb = Vec::new();
            let (x, y) = (eval(a, env, &mut ca), eval(b, env, &mut cb));
            match (&x, &y) {
                (Value::Bool(true), Value::Bool(true)) => {
                    calls.extend(ca);
                    calls.extend(cb);
                    Value::Bool(true)
                }
                (Value::Bool(true), _) => {
                    calls.extend(ca);
                    Value::Bool(true)
                }
                (_, Value::Bool(true)) => {
                    calls.extend(cb);
                    Value::Bool(true)
                }
                (Value::Bool(false), Value::Bool(false)) => Value::Bool(false),
                _ => merge_unknown(x, y),
            }
        }
        Expr::Cmp(a, op, b) => {
            let (x, y) = (eval(a, env, calls), eval(b, env, calls));
            match (&x, &y) {
                (Value::Num(p), Value::Num(q)) => Value::Bool(match op {
                    CmpOp::Lt => p < q,
                    CmpOp::Le => p <= q,
                    CmpOp::Gt => p > q,
                    CmpOp::Ge => p >= q,
                    CmpOp::Eq => p == q,
                    CmpOp::Ne => p != q,
                }),
                (Value::Str(p), Value::Str(q)) => Value::Bool(match op {
                    CmpOp::Eq => p.eq_ignore_ascii_case(q),
                    CmpOp::Ne => !p.eq_ignore_ascii_case(q),
                    _ => false,
                }),
                (Value::Unknown(_), _) | (_, Value::Unknown(_)) => merge_unknown(x, y),
                _ => Value::Bool(false),
            }
        }
    }
}

fn unknown_of(v: Value) -> Value {
    match v {
        Value::Unknown(s) => Value::Unknown(s),
        _ => Value::Unknown(BTreeSet::new()),
    }
}

fn merge_unknown(x: Value, y: Value) -> Value {
    let mut s = BTreeSet::new();
    for v in [x, y] {
        if let Value::Unknown(m) = v {
            s.extend(m);
        }
    }
    Value::Unknown(s)
}

/// Every input name and function a condition uses (for load-time checks).
pub fn names(e: &Expr, idents: &mut Vec<String>, calls: &mut Vec<(String, Vec<Expr>)>) {
    match e {
        Expr::Ident(i) => idents.push(i.clone()),
        Expr::Call(f, a) => {
            calls.push((f.clone(), a.clone()));
            for x in a {
                names(x, idents, calls);
            }
        }
        Expr::Not(x) => names(x, idents, calls),
        Expr::And(a, b) | Expr::Or(a, b) | Expr::Cmp(a, _, b) => {
            names(a, idents, calls);
            names(b, idents, calls);
        }
        Expr::Num(_) | Expr::Str(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct E;
    impl Env for E {
        fn ident(&self, name: &str) -> Option<Value> {
            match name {
                "age_years" => Some(Value::Num(4.0)),
                "mrd_eoi" => Some(Value::Unknown(BTreeSet::from(["mrd_eoi".into()]))),
                "lineage" => Some(Value::Str("B".into())),
                _ => None,
            }
        }
        fn call(&self, name: &str, args: &[Value]) -> Option<(Value, Vec<String>)> {
            (name == "finding").then(|| {
                let hit = args == [Value::Str("fusion.ETV6-RUNX1".into())];
                (Value::Bool(hit), vec!["call-1".into()])
            })
        }
    }

    fn ev(s: &str) -> (Value, Vec<String>) {
        let mut c = Vec::new();
        (eval(&parse(s).unwrap(), &E, &mut c), c)
    }

    #[test]
    fn precedence_and_three_valued_logic() {
        assert_eq!(ev("age_years >= 1 and age_years < 10").0, Value::Bool(true));
        assert_eq!(
            ev("not age_years > 10 or mrd_eoi >= 0.01").0,
            Value::Bool(true)
        );
        // unknown decides nothing when the other side already does
        assert_eq!(
            ev("age_years > 10 and mrd_eoi >= 0.01").0,
            Value::Bool(false)
        );
        assert_eq!(
            ev("age_years < 10 and mrd_eoi >= 0.01").0,
            Value::Unknown(BTreeSet::from(["mrd_eoi".into()]))
        );
        assert_eq!(ev("lineage == \"b\"").0, Value::Bool(true));
        let (v, calls) = ev("finding(\"fusion.ETV6-RUNX1\") or mrd_eoi > 0.01");
        assert_eq!((v, calls), (Value::Bool(true), vec!["call-1".to_string()]));
        assert_eq!(
            ev("(age_years < 1) or (50_000 <= 40000)").0,
            Value::Bool(false)
        );
    }

    #[test]
    fn syntax_errors_name_the_column() {
        assert_eq!(
            parse("age_years >=").unwrap_err(),
            "column 13: the condition ends too early"
        );
        assert_eq!(
            parse("age_years >= 1 and (").unwrap_err(),
            "column 21: the condition ends too early"
        );
        assert!(parse("age_years = 1")
            .unwrap_err()
            .starts_with("column 11: unexpected"));
        assert_eq!(
            parse("finding(\"x\" ").unwrap_err(),
            "column 13: expected , or )"
        );
        assert_eq!(
            parse("a b").unwrap_err(),
            "column 3: unexpected text after the condition"
        );
        assert!(parse("\"open").unwrap_err().contains("not closed"));
    }
}
