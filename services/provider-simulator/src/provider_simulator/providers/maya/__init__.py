"""Maya Checkout, as much of its Checkout and Payments APIs as Payroute's adapter uses,
in Maya's JSON formats (https://developers.maya.ph/). Maya's webhooks carry no
signature: they are plain JSON payment objects."""

PROVIDER = "maya"
