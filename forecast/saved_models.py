"""Fit once, forecast again later: the fitted models of a prediction saved to a folder and loaded back.

A saved folder holds one pickle per series × model and ``manifest.json`` saying what ran: each entry's series,
output column, the model asked for and the one used (with the fallback reason), the last date and a hash of the
history it was fitted on, the frequency and season length, the toolkit's version and a hash of the code that
fits and samples models. A loaded folder forecasts any horizon with the paths the original run would have drawn
for the same seed, and refuses to load under other model code (a pickled model is only as good as the class it
is read back into). Given the data again, it refuses series whose history changed since the fit, or takes
their new observations in without fitting again (:meth:`SavedModels.update`, statsforecast's ``forward``) where
the model can: the state-space models (``ets``, ``arima``) re-run their filters under the saved parameters.

A model fitted with regressors keeps them (its ``Fitted.design``): events give their rows for any horizon,
user regressors only as far as their file gave values — a longer horizon is an :class:`InputError` naming the
file, series and date. Such a model does not take new observations (their regressor values would be needed
too): it is fitted again.

A pickle runs code when it is read, so a folder is loaded only when it is what the toolkit wrote for this user:
the manifest lists each model file by a bare name (never a path out of the folder) with its SHA-256 and the
series it belongs to, and the whole manifest is signed with this user's key (:mod:`forecast.signing`). A
manifest that is malformed or not signed, a file whose hash differs (edited, truncated, or another series' file
swapped in) is refused before anything is unpickled; ``trust=True`` (``--trust``) accepts a manifest signed by
someone else, whose files must still match it. ``--save`` replaces only the files its own signed manifest lists.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import pickle
import re
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

import forecast
from forecast.defaults import LIBRARY_PATHS
from forecast.errors import InputError, ValidationError
from forecast.fitting import check_request, series_seed
from forecast.frequency import FREQUENCIES, future_dates
from forecast.limits import FIRST_DATE, LAST_DATE, check_finite_forecast, check_horizon_end, date_problem
from forecast.longframe import on_grid, regular_series
from forecast.paths import PACKAGE, home, read_text, source_hash, write_atomically
from forecast.predict import KeptModel, Prediction, SeriesForecast, history_hash
from forecast.signing import KEY_FILE, sign, signed_by_user

FORMAT = 2
MANIFEST = "manifest.json"
SIGNATURE = "signature"
_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\.pkl$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_ENTRY_TEXT = ("unique_id", "column", "asked", "used", "history_hash")


@lru_cache(maxsize=1)
def code_hash() -> str:
    """Hash of the code a saved model depends on: every model family, the fitting path, the regressors it
    keeps (their future rows are drawn at forecast time) and the distributions."""
    return source_hash(
        sorted((PACKAGE / "models").glob("*.py"))
        + [PACKAGE / "fitting.py", PACKAGE / "regressors.py", PACKAGE / "distribution.py"]
    )


def save_models(prediction: Prediction, directory: str | Path, settings: dict | None = None) -> Path:
    """Write the fitted models of ``prediction`` (made with ``keep_models=True``) to ``directory``: a new or empty
    folder, or one this toolkit saved models in for this user (its signed manifest says so), whose listed files
    are replaced only once everything new is written (the manifest is swapped in last); any other file is kept.
    A folder holding anything else is an :class:`InputError`: nothing of the user's is removed."""
    kept = [fc for fc in prediction.forecasts if fc.kept is not None]
    if not kept or len(kept) != len(prediction.forecasts):
        raise InputError("the prediction kept no fitted models: call predict(..., keep_models=True)")
    target = Path(directory)
    before = _owned_files(target)
    target.mkdir(parents=True, exist_ok=True)
    token, entries, written = secrets.token_hex(4), [], []
    try:
        for k, fc in enumerate(kept):
            name = f"{token}-{k:06d}.pkl"
            data = pickle.dumps(fc.kept.fitted, protocol=pickle.HIGHEST_PROTOCOL)
            written.append(target / name)
            write_atomically(target / name, lambda handle, data=data: handle.write(data), binary=True)
            entries.append(
                {
                    "unique_id": fc.unique_id,
                    "column": fc.model,
                    "asked": fc.kept.asked,
                    "used": fc.used,
                    "reason": fc.reason,
                    "last_ds": fc.kept.last_ds.isoformat(),
                    "history_hash": fc.kept.history_hash,
                    "file": name,
                    "sha256": hashlib.sha256(data).hexdigest(),
                }
            )
        manifest = {
            "format": FORMAT,
            "forecast_version": forecast.__version__,
            "code_hash": code_hash(),
            "freq": prediction.freq.name,
            "season_length": prediction.season_length,
            "models": list(prediction.models),
            "levels": list(prediction.levels),
            "settings": settings or {},
            "entries": entries,
        }
        manifest[SIGNATURE] = sign(manifest)
        write_atomically(target / MANIFEST, lambda handle: handle.write(json.dumps(manifest, indent=1)))
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    for name in before - {entry["file"] for entry in entries}:
        (target / name).unlink(missing_ok=True)
    return target


def _owned_files(folder: Path) -> set[str]:
    """The model files of a saved-models folder this toolkit wrote for this user (empty for a new or empty
    folder); any other non-empty folder, or a path that is not a folder, is an :class:`InputError`."""
    if not folder.exists():
        return set()
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder; give a new or empty folder to --save")
    if not any(folder.iterdir()):
        return set()
    refusal = InputError(
        f"{folder}: not empty and not a saved-models folder forecast wrote for you; give a new or empty folder"
    )
    try:
        manifest = _read_manifest(folder)
    except InputError:
        raise refusal from None
    if not signed_by_user(_unsigned(manifest), manifest.get(SIGNATURE)):
        raise refusal
    return {entry["file"] for entry in manifest["entries"]}


def _read_manifest(folder: Path) -> dict:
    """The manifest of ``folder``, checked field by field (no file outside the folder, every hash well formed);
    a missing, unreadable or malformed one is an :class:`InputError` naming the file and the field."""
    path = folder / MANIFEST
    if not path.is_file():
        raise InputError(f"{folder}: no saved models here (no {MANIFEST})")
    try:
        manifest = json.loads(read_text(path))
    except ValidationError as err:
        raise InputError(err.problems[0]) from None
    except (json.JSONDecodeError, RecursionError) as err:
        raise InputError(f"{path}: not a saved-models manifest ({str(err)[:80]})") from None
    problem = _manifest_problem(manifest)
    if problem:
        raise InputError(f"{path}: {problem}")
    return manifest


def _manifest_problem(manifest) -> str | None:
    """The first field of ``manifest`` that is not as :func:`save_models` writes it, as ``field: reason``."""
    if not isinstance(manifest, dict):
        return "not a saved-models manifest (not a JSON object)"
    if manifest.get("format") != FORMAT:
        return f"format: saved in format {str(manifest.get('format'))[:20]!r}, this version reads {FORMAT}; fit again"
    if manifest.get("freq") not in FREQUENCIES:
        return f"freq: not one of {', '.join(FREQUENCIES)}"
    if not isinstance(manifest.get("season_length"), int) or isinstance(manifest.get("season_length"), bool):
        return "season_length: not a whole number"
    for key, kind in (("models", str), ("levels", (int, float))):
        values = manifest.get(key)
        if not isinstance(values, list) or not values or not all(isinstance(v, kind) for v in values):
            return f"{key}: not a list of {'names' if kind is str else 'numbers'}"
    if not isinstance(manifest.get("settings"), dict):
        return "settings: not an object"
    entries = manifest.get("entries")
    if not isinstance(entries, list) or not entries:
        return "entries: not a list of saved models"
    files = set()
    for k, entry in enumerate(entries):
        where = f"entries[{k}]"
        if not isinstance(entry, dict):
            return f"{where}: not an object"
        for key in _ENTRY_TEXT:
            if not isinstance(entry.get(key), str) or not entry[key]:
                return f"{where}.{key}: missing or not text"
        if entry.get("reason") is not None and not isinstance(entry["reason"], str):
            return f"{where}.reason: not text"
        if not isinstance(entry.get("file"), str) or not _FILE_NAME.fullmatch(entry["file"]):
            return f"{where}.file: not the name of a model file in this folder"
        if entry["file"] in files:
            return f"{where}.file: listed twice"
        files.add(entry["file"])
        if not isinstance(entry.get("sha256"), str) or not _SHA256.fullmatch(entry["sha256"]):
            return f"{where}.sha256: not a SHA-256"
        try:
            last = pd.Timestamp(entry.get("last_ds"))
        except (ValueError, TypeError, OverflowError):
            last = pd.NaT
        if not isinstance(entry.get("last_ds"), str) or pd.isna(last) or date_problem(last):
            return f"{where}.last_ds: not a date within {FIRST_DATE.date()} .. {LAST_DATE.date()}"
    return None


def _unsigned(manifest: dict) -> dict:
    """The manifest without its signature: what the signature covers."""
    return {k: v for k, v in manifest.items() if k != SIGNATURE}


@dataclass(frozen=True)
class SavedModels:
    """Fitted models loaded from a folder (see the module docstring); ``updated`` holds the models that took new
    observations since (entry file → fitted model), which :meth:`predict` uses instead of the saved ones."""

    directory: Path
    manifest: dict
    updated: dict = field(default_factory=dict)

    def _histories(self, df: pd.DataFrame, source: str | None, columns: dict) -> dict[str, tuple]:
        """Each saved series' last date, history hash and values in ``df``; a saved series missing from it is an
        :class:`InputError`."""
        data, frequency = on_grid(df, source=source, allow_negative=True, freq=self.manifest["freq"], **columns)
        found = {
            uid: (pd.Timestamp(index[-1]), history_hash(y), y) for uid, index, y in regular_series(data, frequency)
        }
        for entry in self.manifest["entries"]:
            if entry["unique_id"] not in found:
                raise InputError(f"{source or 'data'}: series {entry['unique_id']!r} of the saved models is missing")
        return found

    def check_data(self, df: pd.DataFrame, source: str | None = None, **columns) -> None:
        """Refuse when a saved series' history in ``df`` differs from the one its model was fitted on."""
        histories = self._histories(df, source, columns)
        for entry in self.manifest["entries"]:
            if histories[entry["unique_id"]][:2] != (pd.Timestamp(entry["last_ds"]), entry["history_hash"]):
                raise InputError(
                    f"{source or 'data'}: series {entry['unique_id']!r} changed since its models were saved in "
                    f"{self.directory}; fit again (without --load), or take the new values in with --update"
                )

    def update(self, df: pd.DataFrame, source: str | None = None, **columns) -> "SavedModels":
        """These models with the new observations of ``df`` taken in, parameters kept (no fitting): a series whose
        history in ``df`` extends the saved one updates its model's state; a model that cannot take new
        observations, or a history that rewrites the saved values, is an :class:`InputError`."""
        histories = self._histories(df, source, columns)
        entries, updated = [], dict(self.updated)
        for entry in self.manifest["entries"]:
            last, digest, y = histories[entry["unique_id"]]
            if (last, digest) != (pd.Timestamp(entry["last_ds"]), entry["history_hash"]):
                try:
                    updated[entry["file"]] = self.fitted(entry).update(y)
                except ValueError as err:
                    raise InputError(
                        f"{source or 'data'}: series {entry['unique_id']!r}: {err}; fit again (without --load)"
                    ) from None
                entry = {**entry, "last_ds": last.isoformat(), "history_hash": digest}
            entries.append(entry)
        return SavedModels(self.directory, {**self.manifest, "entries": entries}, updated)

    def fitted(self, entry: dict):
        """The fitted model of one manifest entry: updated in this session, else read from its pickle, which is
        unpickled only when it is a regular file of the folder whose SHA-256 is the one the manifest lists for
        this series (a swapped, edited or truncated file is an :class:`InputError`, never used)."""
        if entry["file"] in self.updated:
            return self.updated[entry["file"]]
        path = self.directory / entry["file"]
        try:
            with open(path, "rb", opener=lambda name, flags: os.open(name, flags | os.O_NOFOLLOW)) as handle:
                data = handle.read()
        except OSError as err:
            raise InputError(
                f"{path}: cannot read the saved model of series {entry['unique_id']!r} ({err.strerror})"
            ) from None
        if not hmac.compare_digest(hashlib.sha256(data).hexdigest(), entry["sha256"]):
            raise InputError(
                f"{path}: not the file saved for series {entry['unique_id']!r} (changed or swapped since); fit again"
            )
        try:
            model = pickle.loads(data)
        except Exception as err:  # noqa: BLE001  (any error a damaged pickle raises is the same refusal)
            raise InputError(f"{path}: damaged saved model ({type(err).__name__}); fit again") from None
        if not callable(getattr(model, "sample", None)):
            raise InputError(f"{path}: not a fitted model; fit again")
        return model

    def predict(self, h: int, n_paths: int = LIBRARY_PATHS, seed: int = 0, level=None) -> Prediction:
        """Forecast ``h`` steps from each saved model: for the same ``n_paths`` and ``seed``, the paths of the
        original run over the steps both cover. The request passes the checks :func:`forecast.predict.predict`
        applies (levels, sizes, the last date a forecast may reach, finite paths)."""
        frequency = FREQUENCIES[self.manifest["freq"]]
        levels = tuple(level or self.manifest["levels"])
        check_request(tuple(self.manifest["models"]), levels, self.manifest["season_length"], n_paths, h)
        ends = pd.DataFrame(
            {
                "unique_id": [e["unique_id"] for e in self.manifest["entries"]],
                "ds": [pd.Timestamp(e["last_ds"]) for e in self.manifest["entries"]],
            }
        )
        check_horizon_end(ends, h, frequency)
        forecasts = []
        for entry in self.manifest["entries"]:
            fitted = self.fitted(entry)
            last = pd.Timestamp(entry["last_ds"])
            paths = fitted.sample(h, n_paths, series_seed(seed, entry["unique_id"], entry["asked"]))
            check_finite_forecast(entry["unique_id"], paths.mean())
            kept = KeptModel(fitted, entry["asked"], last, entry["history_hash"])
            forecasts.append(
                SeriesForecast(
                    entry["unique_id"],
                    entry["column"],
                    entry["used"],
                    entry["reason"],
                    future_dates(last, h, frequency),
                    paths,
                    kept,
                )
            )
        return Prediction(forecasts, levels, frequency, tuple(self.manifest["models"]), self.manifest["season_length"])


def load_models(directory: str | Path, trust: bool = False) -> SavedModels:
    """The saved models in ``directory``. Refused (an :class:`InputError`, before anything is unpickled): a
    manifest that is malformed, names a file outside the folder, was not signed with this user's key (unless
    ``trust``: the user vouches for the folder's author; file hashes are still checked), or was saved by other
    model code."""
    folder = Path(directory)
    manifest = _read_manifest(folder)
    if not trust and not signed_by_user(_unsigned(manifest), manifest.get(SIGNATURE)):
        raise InputError(
            f"{folder / MANIFEST}: not signed with your key ({home() / KEY_FILE}): edited, or saved by someone "
            "else; fit again, or pass --trust if you trust whoever saved it (loading runs their code)"
        )
    if manifest.get("code_hash") != code_hash():
        raise InputError(
            f"{folder}: saved by other model code (forecast {str(manifest.get('forecast_version'))[:20]}); fit again"
        )
    return SavedModels(folder, manifest)
