"""The registry: names resolve to classes, unknown names are input errors, temporary models leave no trace."""

import numpy as np
import pytest

from forecast.errors import InputError
from forecast.models.base import Model
from forecast.models.registry import available_models, get_model, model_class, model_label, registered


class Constant(Model):
    def _fit(self, y, season_length):
        self.value_ = float(y[-1])

    def sample_paths(self, h, n_paths, seed=None):
        return np.full((n_paths, h), self.value_)


def test_registered_model_exists_only_inside_the_block():
    before = available_models()
    with registered("constant_for_test", Constant):
        assert "constant_for_test" in available_models()
        assert get_model("constant_for_test").fit([1.0, 4.0]).sample_paths(2, 3).tolist() == [[4.0, 4.0]] * 3
    assert available_models() == before
    with pytest.raises(InputError, match="unknown model 'constant_for_test'"):
        model_class("constant_for_test")


def test_registered_restores_a_shadowed_model():
    original = model_class("naive")
    with registered("naive", Constant):
        assert model_class("naive") is Constant
    assert model_class("naive") is original and original.name == "naive"


@pytest.mark.parametrize(
    "spec, label",
    [
        ("lags", "lags"),
        ("LAGS", "lags"),
        ("lags(regressor=gbr, n_lags=4)", "lags(n_lags=4, regressor=gbr)"),
        ("lags(n_lags=3)", "lags"),  # the default: the same model, the same label
        (("lags", {"n_lags": 4, "regressor": "gbr"}), "lags(n_lags=4, regressor=gbr)"),
        (
            "ensemble(members=(ets, lags(n_lags=2)), weights=inverse_error)",
            "ensemble(members=(ets, lags(n_lags=2)), weights=inverse_error)",
        ),
        ("ensemble(members=[naive])", "ensemble(members=(naive,))"),
        ("prophet_logistic(cap=1e4)", "prophet_logistic(cap=10000.0)"),
    ],
)
def test_specs_have_one_canonical_label_that_reads_back(spec, label):
    assert model_label(spec) == label
    assert model_label(label) == label
    assert repr(get_model(label)) == repr(get_model(spec))


def test_an_instance_is_labelled_by_the_parameters_it_changed():
    from forecast.models.sklearn_lags import Lags

    assert model_label(Lags(regressor="gbr", n_lags=4)) == "lags(n_lags=4, regressor=gbr)"
    assert model_label(Lags()) == "lags"
    model = get_model("ensemble(members=(naive, drift))")
    assert model.members == ("naive", "drift") and model_class("ensemble(members=(naive, drift))") is type(model)


def test_set_params_changes_what_the_label_says_and_checks_as_the_constructor_does():
    model = get_model("lags")
    assert model.set_params(n_lags=4) is model and model_label(model) == "lags(n_lags=4)"
    with pytest.raises(ValueError, match="unknown regressor 'xgb'"):
        model.set_params(regressor="xgb")
    with pytest.raises(ValueError, match="has no parameter foo"):
        model.set_params(foo=1)
    assert model.get_params() == {"regressor": "ridge", "n_lags": 4, "strategy": "recursive", "max_horizon": 24}


@pytest.mark.parametrize(
    "spec, message",
    [
        ("lags(foo=1)", "model 'lags' has no parameter foo; its parameters: regressor, n_lags, strategy, max_horizon"),
        ("lags(regressor=xgb)", "unknown regressor 'xgb'"),
        ("lags(", r"write it as name or name\(key=value, ...\)"),
        ("lags(3)", r"write it as name or name\(key=value, ...\)"),
        ("nope(n=1)", "unknown model 'nope'"),
        ("crystal-ball", "unknown model 'crystal-ball'"),
        ("lags(n_lags=x+1)", "cannot read the value 'x \\+ 1'"),
        (3, "a model is a name"),
    ],
)
def test_bad_specs_are_input_errors(spec, message):
    with pytest.raises(InputError, match=message):
        model_label(spec)
