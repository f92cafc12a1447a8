package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"
)

// The benchmark entity: a key and 19 fields of the usual types.
const metadata = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
 <edmx:DataServices>
  <Schema Namespace="Bench" xmlns="http://docs.oasis-open.org/odata/ns/edm">
   <EntityType Name="Item">
    <Key><PropertyRef Name="ID"/></Key>
    <Property Name="ID" Type="Edm.Int64" Nullable="false"/>
    <Property Name="code" Type="Edm.String" MaxLength="20"/>
    <Property Name="name" Type="Edm.String" MaxLength="100"/>
    <Property Name="description" Type="Edm.String"/>
    <Property Name="email" Type="Edm.String"/>
    <Property Name="phone" Type="Edm.String"/>
    <Property Name="city" Type="Edm.String"/>
    <Property Name="country" Type="Edm.String"/>
    <Property Name="quantity" Type="Edm.Int32"/>
    <Property Name="rank" Type="Edm.Int64"/>
    <Property Name="price" Type="Edm.Decimal" Precision="15" Scale="2"/>
    <Property Name="cost" Type="Edm.Decimal" Precision="15" Scale="2"/>
    <Property Name="weight" Type="Edm.Double"/>
    <Property Name="active" Type="Edm.Boolean"/>
    <Property Name="archived" Type="Edm.Boolean"/>
    <Property Name="created" Type="Edm.Date"/>
    <Property Name="due" Type="Edm.Date"/>
    <Property Name="modifiedAt" Type="Edm.DateTimeOffset"/>
    <Property Name="shippedAt" Type="Edm.DateTimeOffset"/>
    <Property Name="ref" Type="Edm.Guid"/>
   </EntityType>
   <EntityContainer Name="Container">
    <EntitySet Name="Items" EntityType="Bench.Item"/>
   </EntityContainer>
  </Schema>
 </edmx:DataServices>
</edmx:Edmx>`

// benchFields are the Item fields after the key, in order.
var benchFields = []string{"code", "name", "description", "email", "phone", "city", "country", "quantity", "rank",
	"price", "cost", "weight", "active", "archived", "created", "due", "modifiedAt", "shippedAt", "ref"}

// pageBuffers keeps the server's page buffers from one request to the next,
// so that serving costs the process under measure as little as serving
// pre-rendered pages would. (Not a sync.Pool: it empties at every garbage
// collection, and an import collects more often than it asks for pages.)
var pageBuffers = make(chan []byte, 4)

// itemServer serves $metadata and pages of generated Items: records in all,
// pageSize per page, with server-driven next links. Pages are rendered by
// appending bytes into a reused buffer, so the server costs little next to
// the client.

func itemServer(records, pageSize int) *httptest.Server {
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	mux := http.NewServeMux()
	mux.HandleFunc("/odata/$metadata", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.Header().Set("OData-Version", "4.0")
		fmt.Fprint(w, metadata)
	})
	mux.HandleFunc("/odata/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("OData-Version", "4.0")
		if r.URL.Path == "/odata/" {
			fmt.Fprint(w, `{"@odata.context":"$metadata","value":[{"name":"Items","url":"Items"}]}`)
			return
		}
		start, _ := strconv.Atoi(r.URL.Query().Get("$skiptoken"))
		end := min(start+pageSize, records)
		var b []byte
		select {
		case b = <-pageBuffers:
		default:
		}
		b = append(b[:0], `{"@odata.context":"$metadata#Items","value":[`...)
		for i := start; i < end; i++ {
			if i > start {
				b = append(b, ',')
			}
			b = appendItem(b, i, base)
		}
		b = append(b, ']')
		if end < records {
			b = append(b, `,"@odata.nextLink":"Items?$skiptoken=`...)
			b = strconv.AppendInt(b, int64(end), 10)
			b = append(b, '"')
		}
		b = append(b, '}')
		w.Write(b)
		select {
		case pageBuffers <- b:
		default:
		}
	})
	return httptest.NewServer(mux)
}

func appendItem(b []byte, i int, base time.Time) []byte {
	n := int64(i)
	b = append(b, `{"ID":`...)
	b = strconv.AppendInt(b, n, 10)
	b = append(b, `,"code":"C-`...)
	b = strconv.AppendInt(b, n, 10)
	b = append(b, `","name":"Item number `...)
	b = strconv.AppendInt(b, n, 10)
	b = append(b, `","description":"A line of text that describes the item in a few words.","email":"item`...)
	b = strconv.AppendInt(b, n, 10)
	b = append(b, `@example.org","phone":"+44 20 7946 0000","city":"Brno","country":"CZ","quantity":`...)
	b = strconv.AppendInt(b, n%1000, 10)
	b = append(b, `,"rank":`...)
	b = strconv.AppendInt(b, n*7, 10)
	b = append(b, `,"price":`...)
	b = strconv.AppendInt(b, n%100000, 10)
	b = append(b, `.25,"cost":`...)
	b = strconv.AppendInt(b, n%5000, 10)
	b = append(b, `.5,"weight":1.125,"active":true,"archived":false,"created":"2024-02-29","due":"2025-12-31","modifiedAt":"`...)
	b = base.Add(time.Duration(n)*time.Second).AppendFormat(b, time.RFC3339)
	b = append(b, `","shippedAt":null,"ref":"00000000-0000-4000-8000-`...)
	b = fmt.Appendf(b, "%012d", n)
	b = append(b, `"}`...)
	return b
}
