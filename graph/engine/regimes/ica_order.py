"""``ica_order`` (``ca-ica-2025``): Canada's Investment Canada Act order of 27 June 2025 against
Hikvision Canada Inc., scoped as the government's statement says: the order reaches the named
company only ("does not extend to Hikvision's affiliate operations outside of Canada"), while
federal bodies are not to use or purchase Hikvision equipment, so Hikvision's brands and
products are covered."""

from __future__ import annotations

from supplygraph.graph.engine.upstream import NON_ENTITY_KINDS
from supplygraph.graph.model.answers import RegimeOut

from .evaluation import Evaluation, chain_text, listing_text


class IcaOrder(Evaluation):
    """The named company, and the equipment of the companies whose products the ban reaches."""

    def verdict(self) -> RegimeOut:
        root, day = self.up.root, self.up.day.isoformat()
        scope = f" {self.rule.scope}" if self.rule.scope else ""
        found = self.active(root)
        if found:
            d = found[0]
            return self.out(
                "covered",
                f"{self.root_name} is the subject of the {listing_text(d, self.label(d))}: "
                f"ordered to cease operations in Canada and close its Canadian business.{scope}",
                designations=found,
            )
        makers = [m for m in self.rule.products_of if m in self.up.nodes]
        node = self.up.nodes.get(root)
        is_thing = node is not None and node.kind in NON_ENTITY_KINDS
        if root in self.rule.products_of:
            return self.out(
                "covered",
                f"{self.root_name}'s equipment falls under the federal purchase ban; the order "
                f"to cease operations names only the Canadian company.{scope}",
            )
        chains = self.chains_to_root(m for m in makers if m != root)
        if chains and is_thing:
            maker, edges = chains[0]
            return self.out(
                "covered",
                f"{self.root_name} is {self.up.name(maker)}'s equipment "
                f"({chain_text(self.up, edges)}), so it falls under the federal purchase "
                f"ban.{scope}",
                paths=[[e for _, _, e in c] for _, c in chains],
            )
        if chains:
            maker, edges = chains[0]
            return self.out(
                "not_covered",
                f"{self.root_name} is linked to {self.up.name(maker)} "
                f"({chain_text(self.up, edges)}), but it is not the company named in the order, "
                f"and the purchase ban reaches equipment, not affiliated companies.{scope}",
                paths=[[e for _, _, e in c] for _, c in chains],
            )
        return self.out(
            "not_covered",
            f"{self.root_name} is neither the company named in the order nor equipment of "
            f"{', '.join(self.up.name(m) for m in self.rule.products_of)} on {day}, as far "
            "as the recorded chain shows." + self.depth_note(),
        )
