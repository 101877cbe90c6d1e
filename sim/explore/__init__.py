"""Exploratory modelling over kazsim: scenario discovery (`discover`) on sweep stores and
policy search under chance constraints (`optimize`). Heavy libraries (prim, scikit-learn,
optuna, pandas) are imported inside the functions that use them."""
