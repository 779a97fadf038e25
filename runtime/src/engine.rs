//! Loading compiled standards into wasmtime and evaluating one resource at a time.
//!
//! An [`Engine`] holds the wasmtime configuration (Cranelift, optimising for speed; epoch
//! interruption; the on-disk cache of compiled code). A [`Standard`] is a validated tenet module
//! with its metadata. An [`Instance`] is one store and instance of a standard, reused for many
//! resources; each evaluation runs under an instruction budget (fuel, deterministic), a
//! wall-clock backstop and a memory cap.

use crate::error::RuntimeError;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tenet_stdlib::abi::{self, Metadata, RecResult};
use wasmtime::{
    Config, InstancePre, Linker, Memory, Module, OptLevel, Store, StoreLimits, StoreLimitsBuilder,
    TypedFunc,
};

/// Evaluation limits, per resource (all recommendations of the standard together).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Instruction budget (wasmtime fuel): the deterministic limit, which trips at the same
    /// place on every machine.
    pub fuel: u64,
    /// Wall-clock budget: the backstop for what fuel does not count (a slow or loaded machine
    /// evaluating within its budget is not stopped before this).
    pub timeout: Duration,
    /// Largest linear memory an instance may grow to.
    pub memory_bytes: usize,
}

/// The default instruction budget per resource: about 2,000 times what the most demanding
/// built-in standard needs for any resource of the corpus (500,000 measured), so only a runaway
/// evaluation meets it; the integration tests run the corpus with a hundredth of it.
pub const DEFAULT_FUEL: u64 = 1_000_000_000;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            fuel: DEFAULT_FUEL,
            timeout: Duration::from_secs(10),
            memory_bytes: 512 << 20,
        }
    }
}

/// The tick of the epoch clock; deadlines are counted in ticks.
const TICK: Duration = Duration::from_millis(10);

/// A configured wasmtime engine with an epoch clock.
#[derive(Clone)]
pub struct Engine {
    inner: wasmtime::Engine,
    limits: Limits,
    stop: Arc<AtomicBool>,
}

impl Drop for Engine {
    fn drop(&mut self) {
        if Arc::strong_count(&self.stop) == 2 {
            self.stop.store(true, Ordering::Relaxed);
        }
    }
}

/// Where compiled modules are cached: `$TENET_CACHE_DIR`, else `$XDG_CACHE_HOME/tenet`, else
/// `~/.cache/tenet`.
pub fn default_cache_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("TENET_CACHE_DIR") {
        // wasmtime's cache needs an absolute directory.
        let d = PathBuf::from(d);
        return Some(if d.is_absolute() {
            d
        } else {
            std::env::current_dir().map_or(d.clone(), |c| c.join(&d))
        });
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME") {
        return Some(PathBuf::from(d).join("tenet"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache").join("tenet"))
}

impl Engine {
    /// An engine; `cache` is the directory for compiled code (`None` disables caching).
    pub fn new(cache: Option<PathBuf>, limits: Limits) -> Result<Engine, RuntimeError> {
        let mut config = Config::new();
        config.cranelift_opt_level(OptLevel::Speed);
        config.epoch_interruption(true);
        config.consume_fuel(true);
        if let Some(dir) = cache {
            let mut cc = wasmtime::CacheConfig::new();
            cc.with_directory(dir);
            match wasmtime::Cache::new(cc) {
                Ok(c) => {
                    config.cache(Some(c));
                }
                Err(e) => {
                    return Err(RuntimeError::Engine(format!(
                        "cannot use the cache directory: {e}"
                    )))
                }
            }
        }
        let inner =
            wasmtime::Engine::new(&config).map_err(|e| RuntimeError::Engine(e.to_string()))?;
        let stop = Arc::new(AtomicBool::new(false));
        let (clock, flag) = (inner.clone(), stop.clone());
        std::thread::Builder::new()
            .name("tenet-epoch".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(TICK);
                    clock.increment_epoch();
                }
            })
            .map_err(|e| RuntimeError::Engine(e.to_string()))?;
        Ok(Engine {
            inner,
            limits,
            stop,
        })
    }

    /// Loads a module: checks that it is a tenet module of this ABI version and compiles it.
    pub fn load(&self, wasm: &[u8]) -> Result<Standard, RuntimeError> {
        let metadata = read_metadata(wasm)?;
        if metadata.abi != abi::ABI_VERSION {
            return Err(RuntimeError::Abi(metadata.abi));
        }
        let module =
            Module::new(&self.inner, wasm).map_err(|e| RuntimeError::NotTenet(format!("{e:#}")))?;
        for name in [
            abi::EXPORT_VERSION,
            abi::EXPORT_INDEX_RESERVE,
            abi::EXPORT_RESERVE,
            abi::EXPORT_EVAL,
            abi::EXPORT_MEMORY,
        ] {
            if module.get_export(name).is_none() {
                return Err(RuntimeError::NotTenet(format!(
                    "it does not export `{name}`"
                )));
            }
        }
        if module.imports().len() != 0 {
            return Err(RuntimeError::NotTenet(
                "it has imports; tenet modules are self-contained".into(),
            ));
        }
        let linker: Linker<Limiter> = Linker::new(&self.inner);
        let pre = linker
            .instantiate_pre(&module)
            .map_err(|e| RuntimeError::NotTenet(e.to_string()))?;
        Ok(Standard {
            engine: self.clone(),
            pre,
            secret_holders: tenet_stdlib::secret::holders(&metadata.projection).map(Arc::new),
            metadata: Arc::new(metadata),
        })
    }
}

/// Reads the metadata section of a module without compiling it.
pub fn read_metadata(wasm: &[u8]) -> Result<Metadata, RuntimeError> {
    let mut found = None;
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload {
            Ok(wasmparser::Payload::CustomSection(c)) if c.name() == abi::METADATA_SECTION => {
                found = Some(c.data().to_vec())
            }
            Ok(_) => {}
            Err(e) => {
                return Err(RuntimeError::NotTenet(format!(
                    "it is not a WebAssembly module ({e})"
                )))
            }
        }
    }
    let data = found.ok_or_else(|| {
        RuntimeError::NotTenet(format!("it has no `{}` section", abi::METADATA_SECTION))
    })?;
    serde_json::from_slice(&data)
        .map_err(|e| RuntimeError::NotTenet(format!("its metadata is not valid: {e}")))
}

/// A loaded standard.
#[derive(Clone)]
pub struct Standard {
    engine: Engine,
    pre: InstancePre<Limiter>,
    /// The metadata.
    pub metadata: Arc<Metadata>,
    /// The part of the projection where a resource can hold a secret by name
    /// ([`tenet_stdlib::secret::holders`]), walked for each resource whose remediation or fix
    /// is rendered; `None` when the standard reads no such member.
    pub secret_holders: Option<Arc<tenet_stdlib::abi::Projection>>,
}

/// The memory cap of an instance, remembering whether it refused a growth: a module that cannot
/// grow stops on a trap, which is then reported as the memory limit.
struct Limiter {
    limits: StoreLimits,
    denied: bool,
}

impl wasmtime::ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let allowed = self.limits.memory_growing(current, desired, maximum)?;
        self.denied |= !allowed;
        Ok(allowed)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.limits.table_growing(current, desired, maximum)
    }
}

/// One running instance of a standard.
pub struct Instance {
    store: Store<Limiter>,
    memory: Memory,
    reserve: TypedFunc<i32, i32>,
    eval: TypedFunc<(i32, i32), i32>,
    ticks: u64,
    limits: Limits,
    expected: usize,
}

fn trap(e: wasmtime::Error, limits: &Limits) -> RuntimeError {
    if let Some(t) = e.downcast_ref::<wasmtime::Trap>() {
        if *t == wasmtime::Trap::Interrupt {
            return RuntimeError::Timeout(limits.timeout);
        }
        if *t == wasmtime::Trap::OutOfFuel {
            return RuntimeError::Fuel(limits.fuel);
        }
        // The trap's name only: the wasm backtrace says nothing to a user.
        return RuntimeError::Trap(t.to_string());
    }
    RuntimeError::Trap(e.to_string())
}

impl Standard {
    /// A fresh instance, loaded with the inventory index (see [`abi::encode_index`]).
    pub fn instantiate(&self, index: &[u8]) -> Result<Instance, RuntimeError> {
        let limits = self.engine.limits;
        let mut store = Store::new(
            &self.engine.inner,
            Limiter {
                limits: StoreLimitsBuilder::new()
                    .memory_size(limits.memory_bytes)
                    .build(),
                denied: false,
            },
        );
        store.limiter(|l| l);
        let ticks = (limits.timeout.as_millis() / TICK.as_millis()).max(1) as u64 + 1;
        store.set_epoch_deadline(ticks);
        store
            .set_fuel(limits.fuel)
            .map_err(|e| RuntimeError::Engine(e.to_string()))?;
        let instance = self
            .pre
            .instantiate(&mut store)
            .map_err(|e| trap(e, &limits))?;
        let get =
            |name: &str| RuntimeError::NotTenet(format!("export `{name}` has the wrong type"));
        let version: TypedFunc<(), i32> = instance
            .get_typed_func(&mut store, abi::EXPORT_VERSION)
            .map_err(|_| get(abi::EXPORT_VERSION))?;
        let v = version.call(&mut store, ()).map_err(|e| trap(e, &limits))?;
        if v as u32 != abi::ABI_VERSION {
            return Err(RuntimeError::Abi(v as u32));
        }
        let memory = instance
            .get_memory(&mut store, abi::EXPORT_MEMORY)
            .ok_or_else(|| get(abi::EXPORT_MEMORY))?;
        let index_reserve: TypedFunc<i32, i32> = instance
            .get_typed_func(&mut store, abi::EXPORT_INDEX_RESERVE)
            .map_err(|_| get(abi::EXPORT_INDEX_RESERVE))?;
        let reserve = instance
            .get_typed_func(&mut store, abi::EXPORT_RESERVE)
            .map_err(|_| get(abi::EXPORT_RESERVE))?;
        let eval = instance
            .get_typed_func(&mut store, abi::EXPORT_EVAL)
            .map_err(|_| get(abi::EXPORT_EVAL))?;
        if !index.is_empty() {
            let len = i32::try_from(index.len()).map_err(|_| RuntimeError::Memory)?;
            let at = index_reserve
                .call(&mut store, len)
                .map_err(|e| trap(e, &limits))?;
            memory
                .write(&mut store, at as u32 as usize, index)
                .map_err(|_| RuntimeError::Memory)?;
        }
        Ok(Instance {
            store,
            memory,
            reserve,
            eval,
            ticks,
            limits,
            expected: self.metadata.outputs(),
        })
    }
}

impl Instance {
    /// Evaluates one encoded input (see [`abi::encode_input`]).
    pub fn evaluate(&mut self, input: &[u8]) -> Result<Vec<RecResult>, RuntimeError> {
        let expected = self.expected;
        let bytes = self.evaluate_raw(input)?;
        abi::decode_output(&bytes, expected)
            .map_err(|e| RuntimeError::Trap(format!("malformed output: {e}")))
    }

    /// Evaluates one encoded input and returns the output bytes as the module wrote them.
    pub fn evaluate_raw(&mut self, input: &[u8]) -> Result<Vec<u8>, RuntimeError> {
        self.evaluate_raw_ref(input, <[u8]>::to_vec)
    }

    /// Whether the memory cap refused a growth during this instance's life.
    fn at_memory_cap(&self) -> bool {
        self.store.data().denied
    }

    /// Evaluates one encoded input and hands the output bytes, in the module's memory, to `read`.
    pub fn evaluate_raw_ref<T>(
        &mut self,
        input: &[u8],
        read: impl FnOnce(&[u8]) -> T,
    ) -> Result<T, RuntimeError> {
        let limits = self.limits;
        self.store.set_epoch_deadline(self.ticks);
        self.store
            .set_fuel(limits.fuel)
            .map_err(|e| RuntimeError::Engine(e.to_string()))?;
        let len = i32::try_from(input.len()).map_err(|_| RuntimeError::Memory)?;
        let at = self
            .reserve
            .call(&mut self.store, len)
            .map_err(|e| trap(e, &limits))?;
        self.memory
            .write(&mut self.store, at as u32 as usize, input)
            .map_err(|_| RuntimeError::Memory)?;
        let out = match self.eval.call(&mut self.store, (at, len)) {
            Ok(out) => out as u32 as usize,
            // A module that cannot grow its memory any further stops on a trap: at the cap, that
            // is the memory limit, said as such.
            Err(_) if self.at_memory_cap() => return Err(RuntimeError::Memory),
            Err(e) => return Err(trap(e, &limits)),
        };
        let data = self.memory.data(&self.store);
        let total = data
            .get(out..out + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
            .ok_or(RuntimeError::Memory)?;
        data.get(out..out + total)
            .map(read)
            .ok_or(RuntimeError::Memory)
    }
}
