//! Terraform source (`.tf`): a module folder read and evaluated as `terraform plan` would see it
//! before deployment, each managed resource given in the shape of a plan's `planned_values`
//! resource (`address`, `type`, `name`, `index`, `values`), so one rule reads plans and source
//! alike.
//!
//! - [`load`]: files parsed with `hcl-edit`, declarations gathered, `*.tfvars` read;
//! - [`eval`]: expressions, references (variables, locals, `count`, `each`, resources, local
//!   modules), with a budget for work, size and depth;
//! - [`functions`]: the functions known before deployment, over [`value`]s;
//! - [`expand`]: `count`, `for_each` and `dynamic` blocks expanded into resources with the place
//!   of every attribute.
//!
//! Local modules (`source = "./..."`) are evaluated with their caller's inputs and their
//! resources addressed `module.NAME.TYPE.NAME`; registry and git modules are not fetched. What
//! only the deployment knows is the unknown value ([`crate::iac::unknown`]).

pub mod eval;
pub mod expand;
pub mod functions;
pub mod json;
pub mod load;
pub mod value;

use crate::error::{err, InputError};
use crate::iac::{is_unknown, unknown, Given as Options};
use eval::{Budget, Ctx, Fail, Scope, R};
use expand::Key;
use load::Module;
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// Deepest chain of local module calls followed.
const MAX_MODULE_DEPTH: usize = 16;

/// Loads each module folder once per root module.
#[derive(Debug, Default)]
pub struct Loader {
    cache: RefCell<HashMap<PathBuf, Rc<Module>>>,
    errors: RefCell<Vec<InputError>>,
}

impl Loader {
    fn load(&self, real: &Path, shown: &Path) -> Rc<Module> {
        if let Some(m) = self.cache.borrow().get(real) {
            return m.clone();
        }
        let mut errors = Vec::new();
        let m = Rc::new(load::dir(real, shown, &mut errors));
        self.errors.borrow_mut().extend(errors);
        self.cache
            .borrow_mut()
            .insert(real.to_path_buf(), m.clone());
        m
    }
}

/// One instance of a module call: its key and, for a local module, its context.
pub struct Child {
    /// Which instance.
    pub key: Key,
    /// The module's context; `None` when the module is not a local folder.
    pub ctx: Option<Rc<Ctx>>,
}

/// The instances of module call `i` of `parent`.
pub(crate) fn instantiate(parent: &Ctx, i: usize) -> Result<Vec<Child>, Fail> {
    let d = &parent.module.calls[i];
    let name = d.label(0).unwrap_or("");
    let source = d
        .block
        .body
        .get_attribute("source")
        .and_then(|a| a.value.as_str());
    let real = parent
        .module
        .source
        .as_ref()
        .and_then(|base| load::local_source(&d.block, base));
    let (Some(real), Some(source)) = (real, source) else {
        return Ok(Vec::new());
    };
    if parent.level + 1 > MAX_MODULE_DEPTH {
        return Err(Fail::Budget(format!(
            "local modules call each other more than {MAX_MODULE_DEPTH} deep"
        )));
    }
    let shown = load::clean(&parent.module.dir.join(source));
    let module = parent.loader.load(&real, &shown);
    let path = load::clean(&Path::new(&parent.path).join(source))
        .to_string_lossy()
        .replace('\\', "/");
    let mut out = Vec::new();
    for (key, s) in expand::instances(parent, &d.block.body)? {
        let mut inputs = HashMap::new();
        for a in d.block.body.attributes() {
            let k = a.key.value().as_str();
            if matches!(
                k,
                "source" | "version" | "count" | "for_each" | "providers" | "depends_on"
            ) {
                continue;
            }
            let v = match parent.expr(&a.value, &s) {
                Ok(v) => v,
                Err(Fail::Error(_)) => unknown(),
                Err(b) => return Err(b),
            };
            inputs.insert(k.to_string(), v);
        }
        let prefix = format!("{}module.{name}{}.", parent.prefix, key.suffix());
        let ctx = Ctx::new(
            module.clone(),
            inputs,
            path.clone(),
            prefix,
            parent.level + 1,
            parent.budget.clone(),
            parent.loader.clone(),
        );
        out.push(Child {
            key,
            ctx: Some(Rc::new(ctx)),
        });
    }
    Ok(out)
}

/// What a reference to resource `i` of `ctx`'s module sees. Evaluating an expression may
/// evaluate a resource's body ([`expand`]), which evaluates expressions ([`eval`]): this module
/// ties the two together.
pub(crate) fn reference(ctx: &Ctx, i: usize) -> R {
    expand::reference(ctx, i)
}

/// What `module.NAME` is: an object of outputs (a list of them for `count`, a map for
/// `for_each`); unknown for a module that is not read.
pub(crate) fn outputs(children: &[Child]) -> R {
    let mut list = Vec::new();
    let mut map = Map::new();
    let mut single = None;
    for c in children {
        let Some(ctx) = &c.ctx else {
            return Ok(unknown());
        };
        let mut o = Map::new();
        for (name, d) in &ctx.module.outputs {
            let v = match d.block.body.get_attribute("value") {
                Some(a) => match ctx.expr(&a.value, &Scope::default()) {
                    Ok(v) => v,
                    Err(Fail::Error(_)) => unknown(),
                    Err(b) => return Err(b),
                },
                None => Value::Null,
            };
            o.insert(name.clone(), v);
        }
        match &c.key {
            Key::Single => single = Some(Value::Object(o)),
            Key::Index(_) => list.push(Value::Object(o)),
            Key::Name(k) => {
                map.insert(k.clone(), Value::Object(o));
            }
            Key::Unknown => return Ok(unknown()),
        }
    }
    Ok(match single {
        Some(o) => o,
        None if !map.is_empty() => Value::Object(map),
        None if children.is_empty() => unknown(),
        None => Value::Array(list),
    })
}

/// One resource found: the file it is declared in and the resource with its places.
#[derive(Debug)]
pub struct Resource {
    /// The file, as messages show it.
    pub file: String,
    /// The root module's file it comes from: its own file, or the file of the root module's
    /// `module` block that leads to it.
    pub origin: String,
    /// The resource and where it is.
    pub found: expand::Found,
}

/// What evaluating a root module gives: its resources and those of the local modules it calls,
/// the files it read, and the located errors of files and evaluation.
#[derive(Debug, Default)]
pub struct Evaluated {
    /// Resources in declaration order, root module first.
    pub resources: Vec<Resource>,
    /// The root module's `.tf` files (as shown) with their sizes.
    pub files: Vec<(String, u64)>,
    /// Files that could not be read or parsed, and evaluation that went over its budget.
    pub errors: Vec<InputError>,
}

/// Stack of the thread a module is evaluated on: evaluation recurses (at most
/// [`eval`]'s depth limit), whatever thread the caller has.
const STACK: usize = 64 << 20;

/// Runs `f` on a thread with a [`STACK`]-sized stack.
fn deep<T: Send>(name: &str, f: impl FnOnce() -> T + Send) -> Result<T, InputError> {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("tenet-terraform".into())
            .stack_size(STACK)
            .spawn_scoped(s, f)
            .map_err(|e| err(name, 0, 0, format!("cannot start evaluating: {e}")))?
            .join()
            .map_err(|_| err(name, 0, 0, "evaluating this module failed"))
    })
}

/// Evaluates the module in folder `real` (shown as `shown`) as a root module.
pub fn dir(real: &Path, shown: &Path, opts: &Options) -> Evaluated {
    deep(&shown.display().to_string(), || {
        let loader = Rc::new(Loader::default());
        let module = loader.load(real, shown);
        run(module, loader, opts)
    })
    .unwrap_or_else(|e| Evaluated {
        errors: vec![e],
        ..Evaluated::default()
    })
}

/// Evaluates one text as a root module of one file.
pub fn text(name: &str, text: String) -> Evaluated {
    deep(name, || {
        let mut errors = Vec::new();
        let module = Rc::new(load::text(name, text, &mut errors));
        let loader = Rc::new(Loader::default());
        loader.errors.borrow_mut().extend(errors);
        run(module, loader, &Options::default())
    })
    .unwrap_or_else(|e| Evaluated {
        errors: vec![e],
        ..Evaluated::default()
    })
}

fn run(module: Rc<Module>, loader: Rc<Loader>, opts: &Options) -> Evaluated {
    let mut out = Evaluated {
        files: module
            .files
            .iter()
            .map(|f| (f.name.clone(), f.bytes))
            .collect(),
        ..Evaluated::default()
    };
    let budget = Rc::new(Budget::default());
    let inputs = root_inputs(&module, &loader, &budget, opts);
    let root = Rc::new(Ctx::new(
        module.clone(),
        inputs,
        ".".into(),
        String::new(),
        0,
        budget,
        loader.clone(),
    ));
    if let Err(Fail::Budget(why) | Fail::Error(why)) = emit(&root, None, &mut out.resources) {
        let (file, at) = match module.files.first() {
            Some(f) => (f.name.clone(), (1, 1)),
            None => (module.dir.display().to_string(), (0, 0)),
        };
        out.errors.push(err(
            &file,
            at.0,
            at.1,
            format!(
                "{why}; the resources of module `{}` found before this are reported",
                module.dir.display()
            ),
        ));
    }
    out.errors
        .splice(0..0, loader.errors.borrow_mut().drain(..));
    out
}

/// The root module's variable values: `terraform.tfvars`, `*.auto.tfvars`, `--var-file`, `--var`,
/// later ones overriding earlier ones.
fn root_inputs(
    module: &Rc<Module>,
    loader: &Rc<Loader>,
    budget: &Rc<Budget>,
    opts: &Options,
) -> HashMap<String, Value> {
    let plain = Ctx::new(
        Rc::new(Module::default()),
        HashMap::new(),
        ".".into(),
        String::new(),
        0,
        budget.clone(),
        loader.clone(),
    );
    let literal = |e: &hcl_edit::expr::Expression| match plain.expr(e, &Scope::default()) {
        Ok(v) => v,
        Err(_) => unknown(),
    };
    let mut inputs = HashMap::new();
    for (k, e) in &module.tfvars {
        inputs.insert(k.clone(), literal(e));
    }
    for f in &opts.var_files {
        let shown = f.display().to_string();
        let mut errors = loader.errors.borrow_mut();
        let text = match load::read(f, &shown) {
            Ok(t) => t,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        match load::parse(&shown, &text) {
            Ok(body) => {
                for a in body.attributes() {
                    inputs.insert(a.key.value().to_string(), literal(&a.value));
                }
            }
            Err(e) => errors.push(e),
        }
    }
    for (k, v) in &opts.vars {
        let value = match hcl_edit::parser::parse_expr(v) {
            Ok(e) => match plain.expr(&e, &Scope::default()) {
                Ok(x) if !is_unknown(&x) => x,
                _ => Value::String(v.clone()),
            },
            Err(_) => Value::String(v.clone()),
        };
        inputs.insert(k.clone(), value);
    }
    inputs
}

/// Adds the resources of `ctx`'s module, then those of the local modules it calls; `origin` is
/// the root module's file they come from (`None` for the root module itself).
fn emit(ctx: &Rc<Ctx>, origin: Option<&str>, out: &mut Vec<Resource>) -> Result<(), Fail> {
    let mut found = Vec::new();
    let r = expand::resources(ctx, &mut found);
    for f in found {
        let file = ctx.module.files[f.file].name.clone();
        out.push(Resource {
            origin: origin.map_or_else(|| file.clone(), str::to_string),
            file,
            found: f,
        });
    }
    r?;
    for (i, call) in ctx.module.calls.iter().enumerate() {
        let from = origin.unwrap_or(&ctx.module.files[call.file].name);
        for child in ctx.children(i)?.iter() {
            if let Some(c) = &child.ctx {
                emit(c, Some(from), out)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
