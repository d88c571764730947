require("@shop/ui")
