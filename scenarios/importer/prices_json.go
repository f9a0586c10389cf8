package importer

import (
	"github.com/pipeshare/pipeshare/internal/input"
)

// readJSON reads the offer file's JSON: the top-level object's offerCode,
// version, publicationDate, products and terms, products first (AWS
// writes them first; the terms of a SKU are kept only when its product
// is).
func (o *offer) readJSON(s *jsonStream) error {
	var products, terms bool
	err := s.object("the offer file", func(key string, at int64) error {
		var err error
		switch key {
		case "offerCode":
			if o.code, err = s.text("offerCode"); err == nil && o.code != offerCode {
				return s.fail(at, "offerCode is %s: want the offer file of %s", input.Quote(o.code), offerCode)
			}
			return err
		case "version":
			o.version, err = s.text("version")
			return err
		case "publicationDate":
			o.published, err = s.text("publicationDate")
			return err
		case "products":
			products = true
			return o.jsonProducts(s)
		case "terms":
			if !products {
				return s.fail(at, "terms come before products: this reader keeps the terms of the region's products only, so products must come first, as in AWS's offer files")
			}
			terms = true
			return o.jsonTerms(s)
		}
		return s.skip()
	})
	if err != nil {
		return err
	}
	if !terms {
		o.unpriced += len(o.kept)
	}
	return s.end()
}

// jsonProducts reads products: SKU → {productFamily, attributes}.
func (o *offer) jsonProducts(s *jsonStream) error {
	return s.object("products", func(sku string, _ int64) error {
		var a attrs
		err := s.object("the product "+input.Quote(sku), func(key string, _ int64) error {
			switch key {
			case "productFamily":
				var err error
				a.family, err = s.text("productFamily")
				return err
			case "attributes":
				return s.object("the attributes of "+input.Quote(sku), func(name string, _ int64) error {
					if f := a.field(normalize(name)); f != nil {
						var err error
						*f, err = s.text("the attribute " + name)
						return err
					}
					return s.skip()
				})
			}
			return s.skip()
		})
		if err != nil {
			return err
		}
		if p, ok := o.product(&a); ok {
			o.kept[sku] = p
		}
		return nil
	})
}

// jsonTerms reads terms: the OnDemand terms of the kept SKUs (SKU → offer
// term → priceDimensions → rate → {unit, pricePerUnit: {USD}}); other
// terms are skipped.
func (o *offer) jsonTerms(s *jsonStream) error {
	err := s.object("terms", func(kind string, _ int64) error {
		if kind != "OnDemand" {
			return s.skip()
		}
		return s.object("terms.OnDemand", func(sku string, _ int64) error {
			p, ok := o.kept[sku]
			if !ok {
				return s.skip()
			}
			delete(o.kept, sku)
			hourly := false
			err := s.object("the terms of "+input.Quote(sku), func(string, int64) error {
				return s.object("an offer term of "+input.Quote(sku), func(key string, _ int64) error {
					if key != "priceDimensions" {
						return s.skip()
					}
					return s.object("priceDimensions", func(string, int64) error {
						h, err := o.jsonDimension(s, p, sku)
						hourly = hourly || h
						return err
					})
				})
			})
			if err == nil && !hourly {
				o.unpriced++
			}
			return err
		})
	})
	o.unpriced += len(o.kept) // products with no OnDemand term
	return err
}

// jsonDimension reads one price dimension {unit, pricePerUnit: {USD}} of
// a kept SKU and records its price.
func (o *offer) jsonDimension(s *jsonStream, p offerProduct, sku string) (hourly bool, err error) {
	var unit string
	usd, priced := 0.0, false
	err = s.object("a price dimension of "+input.Quote(sku), func(key string, _ int64) error {
		var err error
		switch key {
		case "unit":
			unit, err = s.text("unit")
			return err
		case "pricePerUnit":
			return s.object("pricePerUnit", func(currency string, at int64) error {
				if currency != "USD" {
					return s.skip()
				}
				text, err := s.text("pricePerUnit.USD")
				if err != nil {
					return err
				}
				if usd, priced = parseUSD(text); !priced {
					return s.fail(at, "%s", badPrice(text))
				}
				return nil
			})
		}
		return s.skip()
	})
	if err != nil || !priced {
		return false, err
	}
	return o.price(p, sku, unit, usd), nil
}
