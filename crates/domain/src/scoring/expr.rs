//! A small, safe expression language for scoring formulas: numbers, indicator codes,
//! `+ - * /`, parentheses, unary minus, and `min(…)` / `max(…)`. Nothing else: no assignment,
//! no strings, no other functions — a formula can only compute a number from a report.
//!
//! Written by hand rather than with a general evaluator crate: those parse integer literals as
//! integers (so `1/2` is 0) and accept a much larger language than a scheme author should use.

use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Number(f64),
    Var(String),
    Neg(Box<Expr>),
    Binary(Op, Box<Expr>, Box<Expr>),
    Call(Func, Vec<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    Min,
    Max,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("formula `{formula}`: {message} at character {position}")]
pub struct ParseError {
    pub formula: String,
    pub message: String,
    /// 1-based character position.
    pub position: usize,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Num(f64),
    Ident(String),
    Plus,
    Minus,
    Star,
    Slash,
    LParen,
    RParen,
    Comma,
    End,
}

struct Parser<'a> {
    src: &'a str,
    tokens: Vec<(Token, usize)>,
    pos: usize,
}

fn tokenize(src: &str) -> Result<Vec<(Token, usize)>, ParseError> {
    let err = |message: String, position: usize| ParseError { formula: src.to_owned(), message, position };
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let at = i + 1;
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '+' | '-' | '*' | '×' | '/' | '÷' | '(' | ')' | ',' => {
                out.push((
                    match c {
                        '+' => Token::Plus,
                        '-' => Token::Minus,
                        '*' | '×' => Token::Star,
                        '/' | '÷' => Token::Slash,
                        '(' => Token::LParen,
                        ')' => Token::RParen,
                        _ => Token::Comma,
                    },
                    at,
                ));
                i += 1;
            }
            c if c.is_ascii_digit() || c == '.' => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                    i += 1;
                }
                let text: String = chars[start..i].iter().collect();
                let n: f64 = text.parse().map_err(|_| err(format!("`{text}` is not a number"), at))?;
                out.push((Token::Num(n), at));
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                out.push((Token::Ident(chars[start..i].iter().collect()), at));
            }
            other => return Err(err(format!("unexpected `{other}`"), at)),
        }
    }
    out.push((Token::End, chars.len() + 1));
    Ok(out)
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        &self.tokens[self.pos].0
    }

    fn at(&self) -> usize {
        self.tokens[self.pos].1
    }

    fn next(&mut self) -> Token {
        let t = self.tokens[self.pos].0.clone();
        if self.pos < self.tokens.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn error(&self, message: impl Into<String>) -> ParseError {
        ParseError { formula: self.src.to_owned(), message: message.into(), position: self.at() }
    }

    // expr := term (('+' | '-') term)*
    fn expr(&mut self, depth: usize) -> Result<Expr, ParseError> {
        if depth > 64 {
            return Err(self.error("the formula nests too deeply"));
        }
        let mut left = self.term(depth)?;
        loop {
            let op = match self.peek() {
                Token::Plus => Op::Add,
                Token::Minus => Op::Sub,
                _ => return Ok(left),
            };
            self.next();
            let right = self.term(depth)?;
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        }
    }

    // term := unary (('*' | '/') unary)*
    fn term(&mut self, depth: usize) -> Result<Expr, ParseError> {
        let mut left = self.unary(depth)?;
        loop {
            let op = match self.peek() {
                Token::Star => Op::Mul,
                Token::Slash => Op::Div,
                _ => return Ok(left),
            };
            self.next();
            let right = self.unary(depth)?;
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        }
    }

    // unary := '-' unary | atom
    fn unary(&mut self, depth: usize) -> Result<Expr, ParseError> {
        if depth > 64 {
            return Err(self.error("the formula nests too deeply"));
        }
        if *self.peek() == Token::Minus {
            self.next();
            return Ok(Expr::Neg(Box::new(self.unary(depth + 1)?)));
        }
        self.atom(depth)
    }

    // atom := number | ident | ('min' | 'max') '(' expr (',' expr)* ')' | '(' expr ')'
    fn atom(&mut self, depth: usize) -> Result<Expr, ParseError> {
        match self.next() {
            Token::Num(n) => Ok(Expr::Number(n)),
            Token::Ident(name) if *self.peek() == Token::LParen => {
                let func = match name.as_str() {
                    "min" => Func::Min,
                    "max" => Func::Max,
                    other => return Err(self.error(format!("unknown function `{other}` (only min and max)"))),
                };
                self.next();
                let mut args = vec![self.expr(depth + 1)?];
                while *self.peek() == Token::Comma {
                    self.next();
                    args.push(self.expr(depth + 1)?);
                }
                self.expect_close()?;
                Ok(Expr::Call(func, args))
            }
            Token::Ident(name) => Ok(Expr::Var(name)),
            Token::LParen => {
                let e = self.expr(depth + 1)?;
                self.expect_close()?;
                Ok(e)
            }
            Token::End => Err(self.error("the formula ends where a value was expected")),
            _ => {
                self.pos = self.pos.saturating_sub(1);
                Err(self.error("a value was expected"))
            }
        }
    }

    fn expect_close(&mut self) -> Result<(), ParseError> {
        if *self.peek() == Token::RParen {
            self.next();
            Ok(())
        } else {
            Err(self.error("`)` was expected"))
        }
    }
}

impl Expr {
    pub fn parse(src: &str) -> Result<Expr, ParseError> {
        let tokens = tokenize(src)?;
        let mut p = Parser { src, tokens, pos: 0 };
        let e = p.expr(0)?;
        if *p.peek() != Token::End {
            return Err(p.error("unexpected text after the formula"));
        }
        Ok(e)
    }

    /// Every indicator code the formula reads, in order of appearance, without repeats.
    pub fn variables(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Expr::Number(_) => {}
            Expr::Var(v) => {
                if !out.contains(&v.as_str()) {
                    out.push(v);
                }
            }
            Expr::Neg(e) => e.collect(out),
            Expr::Binary(_, a, b) => {
                a.collect(out);
                b.collect(out);
            }
            Expr::Call(_, args) => args.iter().for_each(|a| a.collect(out)),
        }
    }

    /// Evaluates with `lookup` giving each variable's value; `None` when a variable is not
    /// reported or a division is by zero.
    pub fn eval(&self, lookup: &dyn Fn(&str) -> Option<f64>) -> Option<f64> {
        match self {
            Expr::Number(n) => Some(*n),
            Expr::Var(v) => lookup(v),
            Expr::Neg(e) => e.eval(lookup).map(|x| -x),
            Expr::Binary(op, a, b) => {
                let (a, b) = (a.eval(lookup)?, b.eval(lookup)?);
                match op {
                    Op::Add => Some(a + b),
                    Op::Sub => Some(a - b),
                    Op::Mul => Some(a * b),
                    Op::Div => (b != 0.0).then(|| a / b),
                }
            }
            Expr::Call(f, args) => {
                let vals: Option<Vec<f64>> = args.iter().map(|a| a.eval(lookup)).collect();
                let vals = vals?;
                match f {
                    Func::Min => vals.into_iter().reduce(f64::min),
                    Func::Max => vals.into_iter().reduce(f64::max),
                }
            }
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Number(n) => write!(f, "{n}"),
            Expr::Var(v) => f.write_str(v),
            Expr::Neg(e) => write!(f, "-({e})"),
            Expr::Binary(op, a, b) => {
                let sym = match op {
                    Op::Add => "+",
                    Op::Sub => "-",
                    Op::Mul => "*",
                    Op::Div => "/",
                };
                write!(f, "({a} {sym} {b})")
            }
            Expr::Call(func, args) => {
                let name = match func {
                    Func::Min => "min",
                    Func::Max => "max",
                };
                let parts: Vec<String> = args.iter().map(ToString::to_string).collect();
                write!(f, "{name}({})", parts.join(", "))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(src: &str, vars: &[(&str, f64)]) -> Option<f64> {
        let e = Expr::parse(src).unwrap();
        e.eval(&|name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| *v))
    }

    #[test]
    fn precedence_parentheses_and_unary_minus() {
        assert_eq!(eval("1 + 2 * 3", &[]), Some(7.0));
        assert_eq!(eval("(1 + 2) * 3", &[]), Some(9.0));
        assert_eq!(eval("1 / 2", &[]), Some(0.5), "division is never integer division");
        assert_eq!(eval("-2 * -3", &[]), Some(6.0));
        assert_eq!(eval("10 - 4 - 3", &[]), Some(3.0), "left associative");
        assert_eq!(eval("2 × 3 ÷ 4", &[]), Some(1.5));
    }

    #[test]
    fn variables_min_max_and_missing_values() {
        let vars = [("early", 132.0), ("on_time", 33.0), ("resolved", 166.0)];
        assert_eq!(eval("(early + on_time) / resolved", &vars).map(|x| (x * 10000.0).round()), Some(9940.0));
        assert_eq!(eval("min(early, on_time, 50)", &vars), Some(33.0));
        assert_eq!(eval("max(0, on_time - early)", &vars), Some(0.0));
        assert_eq!(eval("early / absent", &vars), None);
        assert_eq!(eval("early / (on_time - 33)", &vars), None, "division by zero");
        let e = Expr::parse("a + b * a - min(c, 2)").unwrap();
        assert_eq!(e.variables(), ["a", "b", "c"]);
    }

    #[test]
    fn malformed_formulas_say_where() {
        let cases = [
            ("a +", "the formula ends where a value was expected at character 4"),
            ("(a + b", "`)` was expected at character 7"),
            ("a b", "unexpected text after the formula at character 3"),
            ("pow(a, 2)", "unknown function `pow` (only min and max) at character 4"),
            ("a ^ 2", "unexpected `^` at character 3"),
            ("1.2.3", "`1.2.3` is not a number at character 1"),
            ("", "the formula ends where a value was expected at character 1"),
            ("a + * b", "a value was expected at character 5"),
        ];
        for (src, message) in cases {
            let e = Expr::parse(src).unwrap_err();
            assert_eq!(e.to_string(), format!("formula `{src}`: {message}"), "for {src:?}");
        }
    }

    #[test]
    fn absurd_nesting_is_refused_not_overflowed() {
        let deep = format!("{}1{}", "(".repeat(500), ")".repeat(500));
        assert!(Expr::parse(&deep).unwrap_err().message.contains("nests too deeply"));
        let negations = format!("{}1", "-".repeat(10_000));
        assert!(Expr::parse(&negations).unwrap_err().message.contains("nests too deeply"));
    }
}
