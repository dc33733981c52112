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
"""

from __future__ import annotations

import json
import pickle
import shutil
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

import forecast
from forecast.errors import InputError
from forecast.fitting import series_seed
from forecast.frequency import FREQUENCIES, future_dates
from forecast.longframe import on_grid, regular_series
from forecast.paths import PACKAGE, source_hash
from forecast.predict import KeptModel, Prediction, SeriesForecast, history_hash

FORMAT = 1
MANIFEST = "manifest.json"


@lru_cache(maxsize=1)
def code_hash() -> str:
    """Hash of the code a saved model depends on: every model family, the fitting path, the regressors it
    keeps (their future rows are drawn at forecast time) and the distributions."""
    return source_hash(
        sorted((PACKAGE / "models").glob("*.py"))
        + [PACKAGE / "fitting.py", PACKAGE / "regressors.py", PACKAGE / "distribution.py"]
    )


def save_models(prediction: Prediction, directory: str | Path, settings: dict | None = None) -> Path:
    """Write the fitted models of ``prediction`` (made with ``keep_models=True``) to ``directory``, replacing
    what was there only once everything is written."""
    kept = [fc for fc in prediction.forecasts if fc.kept is not None]
    if not kept or len(kept) != len(prediction.forecasts):
        raise InputError("the prediction kept no fitted models: call predict(..., keep_models=True)")
    target = Path(directory)
    if target.exists() and not (target / MANIFEST).is_file() and any(target.iterdir()):
        raise InputError(f"{target}: not empty and not a saved-models folder; give a new or empty folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        entries = []
        for k, fc in enumerate(kept):
            name = f"{k:06d}.pkl"
            with open(staging / name, "wb") as handle:
                pickle.dump(fc.kept.fitted, handle)
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
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


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
        """The fitted model of one manifest entry: updated in this session, else read from its pickle."""
        if entry["file"] in self.updated:
            return self.updated[entry["file"]]
        with open(self.directory / entry["file"], "rb") as handle:
            return pickle.load(handle)

    def predict(self, h: int, n_paths: int = 1000, seed: int = 0, level=None) -> Prediction:
        """Forecast ``h`` steps from each saved model: for the same ``n_paths`` and ``seed``, the paths of the
        original run over the steps both cover."""
        frequency = FREQUENCIES[self.manifest["freq"]]
        forecasts = []
        for entry in self.manifest["entries"]:
            fitted = self.fitted(entry)
            last = pd.Timestamp(entry["last_ds"])
            paths = fitted.sample(h, n_paths, series_seed(seed, entry["unique_id"], entry["asked"]))
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
        levels = tuple(level or self.manifest["levels"])
        return Prediction(forecasts, levels, frequency, tuple(self.manifest["models"]), self.manifest["season_length"])


def load_models(directory: str | Path) -> SavedModels:
    """The saved models in ``directory``; a folder saved by other model code is an :class:`InputError`."""
    folder = Path(directory)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{folder}: no saved models here (no {MANIFEST})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(f"{folder / MANIFEST}: not a saved-models manifest ({err})") from None
    if manifest.get("format") != FORMAT:
        raise InputError(f"{folder}: saved in format {manifest.get('format')!r}, this version reads {FORMAT}")
    if manifest.get("code_hash") != code_hash():
        raise InputError(
            f"{folder}: saved by other model code (forecast {manifest.get('forecast_version')}, code "
            f"{manifest.get('code_hash')}; this is {code_hash()}); fit again"
        )
    return SavedModels(folder, manifest)
