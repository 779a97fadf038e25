//! Reads the assembled prelude and copies the functions a module needs, remapping call targets.

use std::collections::BTreeSet;
use wasm_encoder::reencode::{Error as ReError, Reencode};
use wasm_encoder::{CodeSection, ValType};
use wasmparser::{FunctionBody, Operator, Parser, Payload};

pub(super) struct Prelude<'a> {
    types: Vec<(Vec<ValType>, Vec<ValType>)>,
    func_types: Vec<u32>,
    bodies: Vec<FunctionBody<'a>>,
    globals: Vec<ValType>,
    callees: Vec<BTreeSet<u32>>,
}

fn val_type(t: wasmparser::ValType) -> Result<ValType, String> {
    Ok(match t {
        wasmparser::ValType::I32 => ValType::I32,
        wasmparser::ValType::I64 => ValType::I64,
        wasmparser::ValType::F32 => ValType::F32,
        wasmparser::ValType::F64 => ValType::F64,
        other => return Err(format!("unsupported value type {other:?}")),
    })
}

struct Remap<'r> {
    funcs: &'r [u32],
}

impl Reencode for Remap<'_> {
    type Error = String;

    fn function_index(&mut self, func: u32) -> Result<u32, ReError<String>> {
        self.funcs
            .get(func as usize)
            .copied()
            .filter(|f| *f != u32::MAX)
            .ok_or_else(|| ReError::UserError(format!("function {func} is not kept")))
    }

    fn type_index(&mut self, _ty: u32) -> Result<u32, ReError<String>> {
        Err(ReError::UserError(
            "the prelude must not use typed blocks or indirect calls".into(),
        ))
    }
}

impl<'a> Prelude<'a> {
    pub(super) fn parse(bytes: &'a [u8]) -> Result<Prelude<'a>, String> {
        let mut p = Prelude {
            types: Vec::new(),
            func_types: Vec::new(),
            bodies: Vec::new(),
            globals: Vec::new(),
            callees: Vec::new(),
        };
        for payload in Parser::new(0).parse_all(bytes) {
            match payload.map_err(|e| e.to_string())? {
                Payload::TypeSection(r) => {
                    for ty in r.into_iter_err_on_gc_types() {
                        let f = ty.map_err(|e| e.to_string())?;
                        let params = f
                            .params()
                            .iter()
                            .map(|t| val_type(*t))
                            .collect::<Result<_, _>>()?;
                        let results = f
                            .results()
                            .iter()
                            .map(|t| val_type(*t))
                            .collect::<Result<_, _>>()?;
                        p.types.push((params, results));
                    }
                }
                Payload::FunctionSection(r) => {
                    for t in r {
                        p.func_types.push(t.map_err(|e| e.to_string())?);
                    }
                }
                Payload::GlobalSection(r) => {
                    for g in r {
                        p.globals
                            .push(val_type(g.map_err(|e| e.to_string())?.ty.content_type)?);
                    }
                }
                Payload::CodeSectionEntry(body) => {
                    let mut calls = BTreeSet::new();
                    let mut ops = body.get_operators_reader().map_err(|e| e.to_string())?;
                    while !ops.eof() {
                        if let Operator::Call { function_index } =
                            ops.read().map_err(|e| e.to_string())?
                        {
                            calls.insert(function_index);
                        }
                    }
                    p.callees.push(calls);
                    p.bodies.push(body);
                }
                _ => {}
            }
        }
        if p.bodies.len() != p.func_types.len() {
            return Err("function and code sections disagree".into());
        }
        Ok(p)
    }

    pub(super) fn len(&self) -> usize {
        self.bodies.len()
    }

    pub(super) fn index(&self, name: &str) -> Option<u32> {
        tenet_stdlib::prelude::func_index(name).filter(|i| (*i as usize) < self.len())
    }

    pub(super) fn callees(&self, i: u32) -> Vec<u32> {
        self.callees
            .get(i as usize)
            .map(|c| c.iter().copied().collect())
            .unwrap_or_default()
    }

    pub(super) fn signature(&self, i: u32) -> (Vec<ValType>, Vec<ValType>) {
        self.func_types
            .get(i as usize)
            .and_then(|t| self.types.get(*t as usize))
            .cloned()
            .unwrap_or_default()
    }

    pub(super) fn globals(&self) -> &[ValType] {
        &self.globals
    }

    pub(super) fn copy_body(
        &self,
        i: u32,
        remap: &[u32],
        code: &mut CodeSection,
    ) -> Result<(), String> {
        let body = self
            .bodies
            .get(i as usize)
            .ok_or("no such prelude function")?;
        Remap { funcs: remap }
            .parse_function_body(code, body.clone())
            .map_err(|e| format!("{e:?}"))
    }
}
