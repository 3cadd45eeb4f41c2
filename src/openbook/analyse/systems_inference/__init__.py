"""Systems inferred from spend: which product each body pays for each capability, from its payments.

No body publishes a systems register yet, but its spending file names the software house and often
the product ("iTrent licence", "Academy revenues support"). `catalogue` reads standard/products.csv,
`match` decides what one payment line buys, `infer` totals the lines per body, year, capability and
product into the `system_inferred` table (and lists software spend that matches no product in
`software_unmatched`), and `register` hands the capability map those rows beside the declared ones.
docs/systems-inference.md explains the rules and their measured precision.
"""

from openbook.analyse.systems_inference.infer import refresh
from openbook.analyse.systems_inference.register import SOURCE, inferred_systems, unmatched_software

__all__ = ["SOURCE", "inferred_systems", "refresh", "unmatched_software"]
